// Every in-memory timer of a peer goes through here, by name, so one number says whether the object can
// hibernate: a Durable Object with a pending setTimeout stays in memory (and is billed); an idle peer must
// hold none and put its next deadline into the object's alarm instead.

export class Timers {
  private readonly live = new Map<string, ReturnType<typeof setTimeout>>();

  /** In-memory timers pending now (the status API shows it; 0 when the peer is idle). */
  get count(): number {
    return this.live.size;
  }

  /** Runs `fn` once after `ms`, replacing a pending timer of the same name. */
  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.live.set(name, setTimeout(() => {
      this.live.delete(name);
      fn();
    }, Math.max(0, ms)));
  }

  has(name: string): boolean {
    return this.live.has(name);
  }

  clear(name: string): void {
    const t = this.live.get(name);
    if (t !== undefined) {
      clearTimeout(t);
      this.live.delete(name);
    }
  }

  clearAll(): void {
    for (const t of this.live.values()) clearTimeout(t);
    this.live.clear();
  }
}
