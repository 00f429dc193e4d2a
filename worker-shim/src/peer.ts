// PilotPeer: a Pilot node living in a Worker. The wasm core makes every protocol decision; this class
// only moves bytes between the core and the transport, keeps time, and turns core events into promises.
import { getCore, nodeRestore, nodeSnapshot, SNAPSHOT_DUE, type CloseMode, type NodeEvent, type PilotCore, type Profile, type ReplyPolicy } from "./core.js";
import { CLOSE_IDLE, RelayTransport, type RegistryMessage, type TransportState } from "./transport.js";
import { ascii, heartbeatText, parseHostPort, registerText, resolveText, setVisibilityStampedText, setVisibilityText } from "./edge.js";
import { b64, random, unb64 } from "./bytes.js";

export interface PeerOptions {
  /** ws(s)://relay/v1/relay: one relay (or give relayUrls) */
  relayUrl?: string;
  /**
   * Relays in order of preference (at most MAX_RELAYS). When the one in use is lost the peer moves to the
   * next, round robin, with backoff; it keeps its Pilot address and sessions: its registry entry is
   * re-pointed by its own signature and every peer it holds a session with gets a fresh handshake.
   */
  relayUrls?: readonly string[];
  /** our node id if known from an earlier run: sent at login, so the relay skips its provisional step */
  nodeId?: number;
  /** 32-byte Ed25519 seed: the identity. Keep it secret (Durable Object storage). */
  identitySeed: Uint8Array;
  profile?: Profile;
  /** serve port 7 by echoing (default true) */
  echo?: boolean;
  /** called with our node id once the registry assigned it */
  onRegistered?: (nodeId: number) => void;
  /** milliseconds; Date.now by default */
  now?: () => number;
  /**
   * Where the node's sessions survive an eviction (docs/SPEC-NOTES.md #37): load() once before the node
   * handles its first frame, save() whenever the core marks the snapshot due (at most once per step). save()
   * must be ordered before the datagrams of that step reach the network (a Durable Object's output gate does
   * this for ctx.storage.put), or send counters could repeat after a restore.
   */
  sessions?: PeerSessionStore;
  log?: (line: string) => void;
}

export interface PeerSessionStore {
  load(): Promise<Uint8Array | null>;
  save(bytes: Uint8Array): void;
}

export interface PeerStatus {
  address: string | null;
  state: TransportState;
  /** the relay in use (or being dialled) */
  relayUrl: string;
  endpoint: string | null;
  reconnects: number;
  lastError: string | null;
  node: ReturnType<PilotCore["nodeStats"]> | null;
}

export class PilotError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;
/** Relay URLs one peer takes (PeerOptions.relayUrls); more is a configuration error. */
export const MAX_RELAYS = 16;
/** Peers remembered to re-resolve after a reconnect (each reconnect opens the new relay's allow-list for them). */
export const MAX_REMEMBERED_PEERS = 1024;
const HEARTBEAT_MS = 30_000;
/**
 * Sessions whose only change is a receive high-water mark are saved at most this often (PeerOptions.sessions):
 * a restore may accept again what arrived since the last save (docs/SECURITY.md, replay exposure).
 */
export const ADVISORY_SAVE_MS = 1_000;
/** How long close() keeps the peer up for its last FINs and ACKs to be acknowledged. */
export const LINGER_MS = 1_000;
/**
 * After a request's stream failed, at most this much more of its body is read and dropped before the
 * body is cancelled: workerd reports a request body left mid-transfer when the response then fails.
 */
export const DRAIN_AFTER_FAILURE_BYTES = 1 << 20;

export type { CloseMode, ReplyPolicy };

/** How {@link PilotPeer.request} sends its request and ends its side. */
export interface RequestOptions {
  /** "after-reply" (default): keep our write side open until the reply has ended; "half" or "full" right after the request. */
  close?: CloseMode;
  /** When the reply has ended (default: the echo of every byte on port 7, else the peer's close or 2 s of quiet). */
  reply?: ReplyPolicy;
  /** The request may not be longer than this (checked while reading it): the stream fails with LIMIT_REACHED. */
  maxRequestBytes?: number;
}




/** A stream as a Web stream pair: write with backpressure, read until end. */
export class PilotStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private writableWaiters: Array<() => void> = [];
  /** Settles once request() stopped reading its request body (sent whole, or cancelled on failure). */
  requestSent: Promise<void> = Promise.resolve();
  closedReason: string | null | undefined = undefined; // undefined: open; null: clean; string: error

  constructor(private readonly peer: PilotPeer, readonly id: number) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => { this.controller = c; },
      pull: () => { this.peer.pullStream(this); },
      cancel: () => { this.abort(); },
    }, { highWaterMark: 4 });
  }

  /** Writes all bytes, waiting while the stream's send buffer is full. */
  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.closedReason !== undefined) throw new PilotError(`stream ${this.id} is closed`, this.closedReason ?? "CLOSED");
      const n = this.peer.writeStream(this, data.subarray(off));
      if (n < 0) throw new PilotError(`stream ${this.id} refused the write`, "INVALID_STATE");
      off += n;
      if (n === 0) await new Promise<void>((r) => this.writableWaiters.push(r));
    }
  }

  /**
   * Ends our side: "half" (default: FIN ours, keep reading to the peer's end), "full" (FIN ours, stop
   * reading), or "after-reply" (keep the write side open until the reply set by expectReply has ended).
   */
  close(mode: CloseMode = "half"): void {
    this.peer.closeStream(this, mode);
  }

  /** Makes this stream a request/reply exchange (echo pacing, the end of "after-reply"); call before writing. */
  expectReply(reply: ReplyPolicy): void {
    this.peer.expectReply(this, reply);
  }

  abort(): void {
    this.peer.abortStream(this);
  }

  /** @internal */
  push(chunk: Uint8Array): void {
    this.controller.enqueue(chunk);
  }

  /** @internal */
  wantsMore(): boolean {
    return (this.controller.desiredSize ?? 0) > 0;
  }

  /** @internal */
  end(reason: string | null): void {
    if (this.closedReason !== undefined && this.closedReason !== null) return;
    this.closedReason = reason;
    for (const w of this.writableWaiters.splice(0)) w();
    try {
      if (reason === null) this.controller.close();
      else this.controller.error(new PilotError(`stream ended: ${reason}`, reason));
    } catch {
      // already closed
    }
  }

  /** @internal */
  writable(): void {
    for (const w of this.writableWaiters.splice(0)) w();
  }
}

export class PilotPeer {
  private handle = 0;
  private transport: RelayTransport;
  private nodeId = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private backoff = RECONNECT_MIN_MS;
  private reconnects = 0;
  /** The relay closed us for idleness: the reconnect that follows logs nothing. */
  private quietReconnect = false;
  private lastError: string | null = null;
  private closed = false;
  private readonly pings = new Map<number, { resolve: (ms: number) => void; reject: (e: Error) => void }>();
  private readonly dialing = new Map<number, { resolve: (s: PilotStream) => void; reject: (e: Error) => void }>();
  private readonly streams = new Map<number, PilotStream>();
  private readonly datagramHandlers = new Map<number, (from: string, srcPort: number, data: Uint8Array) => void>();
  private connecting: Promise<void> | null = null;
  /** Peers we resolved: re-resolved after a reconnect, which also re-opens the new relay's allow-list. */
  private readonly resolved = new Set<number>();
  private readonly now: () => number;
  private readonly publicKey: Uint8Array;
  private readonly relays: readonly string[];
  private relayIndex = 0;
  /** When the sessions were last saved (PeerOptions.sessions). */
  private lastSessionSave = -Infinity;
  /** Our UDP endpoint at the relay of the last registration: peers learn a new one by a fresh handshake. */
  private registeredEndpoint: string | null = null;

  private constructor(private readonly core: PilotCore, private readonly options: PeerOptions) {
    this.now = options.now ?? (() => Date.now());
    const pub = core.ed25519Public(options.identitySeed);
    if (!pub) throw new PilotError("the identity seed must be 32 bytes", "INVALID_ARGUMENT");
    this.publicKey = pub;
    const relays = options.relayUrls?.length ? [...options.relayUrls] : options.relayUrl ? [options.relayUrl] : [];
    if (relays.length === 0 || relays.length > MAX_RELAYS || relays.some((u) => !/^wss?:\/\/[^\s]+$/.test(u))) {
      throw new PilotError(`give 1 to ${MAX_RELAYS} relay URLs, each ws:// or wss://`, "INVALID_ARGUMENT");
    }
    this.relays = relays;
    this.nodeId = options.nodeId ?? 0;
    this.transport = this.newTransport();
  }

  static async create(options: PeerOptions): Promise<PilotPeer> {
    return new PilotPeer(await getCore(), options);
  }

  get address(): string | null {
    return this.handle ? this.core.nodeAddress(this.handle) : null;
  }

  get publicKeyBase64(): string {
    return b64(this.publicKey);
  }

  status(): PeerStatus {
    return {
      address: this.address,
      state: this.transport.state,
      relayUrl: this.relays[this.relayIndex] ?? "",
      endpoint: this.transport.endpoint,
      reconnects: this.reconnects,
      lastError: this.lastError,
      node: this.handle ? this.core.nodeStats(this.handle) : null,
    };
  }

  /** Connects to the relay, registers our key, and creates the node. Idempotent; reconnects by itself. */
  connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    if (this.transport.state === "ready" && this.handle) return Promise.resolve();
    this.connecting = this.doConnect().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    if (this.transport.state !== "idle") this.transport = this.newTransport();
    await this.transport.connect();
    try {
      await this.register();
    } catch (e) {
      // logged in but not registered: drop this relay connection (its close schedules the next attempt)
      this.transport.close(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  /** Registers our key at our new endpoint (signed), creates the node once, and re-points our peers. */
  private async register(): Promise<void> {
    // signed (docs/SPEC-NOTES.md, register): our address is the relay endpoint from auth_ok, which changes
    // on every reconnect, and the registry moves a known key only on its signature over the new one
    const listenAddr = this.transport.endpoint ?? "";
    const timestamp = Date.now();
    const reg = await this.signed({ type: "register", public_key: this.publicKeyBase64, listen_addr: listenAddr, timestamp },
      registerText(this.publicKeyBase64, listenAddr, timestamp));
    if (reg.type !== "register_ok") throw new PilotError(`registry refused us: ${String(reg.error)}`, "REFUSED");
    const nodeId = Number(reg.node_id);
    if (!this.handle || nodeId !== this.nodeId) {
      if (this.handle) this.core.free(this.handle);
      const saved = this.handle ? null : await this.loadSessions(); // before the node exists: no frame can slip in
      const h = this.core.nodeNew({
        node: nodeId, identitySeed: this.options.identitySeed, entropy: random(48),
        profile: this.options.profile ?? "modern", echo: this.options.echo ?? true,
      });
      if (h < 0) throw new PilotError("cannot create the node: " + this.core.errorName(-h), this.core.errorName(-h));
      this.handle = h;
      this.nodeId = nodeId;
      if (saved) this.restoreSessions(h, saved);
      // a new node knows no ports yet: listen on every one onDatagram was given, before or since
      for (const port of this.datagramHandlers.keys()) this.core.nodeListen(h, port);
      this.options.onRegistered?.(nodeId);
    }
    // Our endpoint changed (another relay, or the same one after a reconnect): a peer that follows an
    // endpoint only on a PILA with a new key (the reference daemon) would keep sending to the old one,
    // so every peer we hold a session with gets a fresh handshake once the new relay may reach it.
    const moved = this.registeredEndpoint !== null && this.registeredEndpoint !== listenAddr;
    this.registeredEndpoint = listenAddr;
    // the reference signature, plus one over the value and the time (docs/SPEC-NOTES.md #36): our registry
    // requires the stamped one from a node that registers signed, so a captured request cannot be replayed
    const visibleAt = Math.max(Date.now(), timestamp);
    const stampedSig = this.core.ed25519Sign(this.options.identitySeed,
      ascii(setVisibilityStampedText(nodeId, true, visibleAt)));
    const vis = await this.signed({
      type: "set_visibility", node_id: nodeId, public: true, timestamp: visibleAt,
      stamped_signature: b64(stampedSig ?? new Uint8Array(64)),
    }, setVisibilityText(nodeId));
    if (vis.type !== "set_visibility_ok") {
      throw new PilotError(`registry refused to make us public: ${String(vis.error)}`, "REFUSED");
    }
    this.backoff = RECONNECT_MIN_MS;
    this.heartbeatTimer ??= setInterval(() => {
      if (this.transport.state === "ready") {
        this.signed({ type: "heartbeat", node_id: this.nodeId }, heartbeatText(this.nodeId)).catch(() => {});
      }
    }, HEARTBEAT_MS);
    if (!this.quietReconnect) this.log(`connected as ${this.address} via ${this.transport.url}, endpoint ${this.transport.endpoint}`);
    this.quietReconnect = false;
    for (const node of this.resolved) void this.resolvePeer(node, moved); // the relay only forwards to resolved peers
    this.step();
  }

  private newTransport(): RelayTransport {
    const t = new RelayTransport(this.relays[this.relayIndex] ?? "", b64(this.publicKey),
      (m) => this.core.ed25519Sign(this.options.identitySeed, m) ?? new Uint8Array(64), 10_000, () => this.nodeId);
    t.onMessage = (message) => {
      if (this.handle) {
        this.core.nodeHandleRelayMessage(this.handle, message, this.now()); // bytes in: no IP text on the packet path
        this.step();
      }
    };
    t.onStateChange = (state, reason, code) => {
      if (state === "closed" && !this.closed && t === this.transport) {
        this.lastError = reason;
        this.scheduleReconnect(code === CLOSE_IDLE);
      }
    };
    return t;
  }

  /**
   * After a loss: the next relay of the list, after the current backoff (doubling per failure, reset by a
   * registration). A relay that closed us for idleness is healthy: we come back to it at once, quietly.
   */
  private scheduleReconnect(idle = false): void {
    if (this.reconnectTimer || this.closed) return;
    let delay = RECONNECT_MIN_MS;
    if (idle) {
      this.quietReconnect = true;
    } else {
      delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
      const from = this.relays[this.relayIndex];
      this.relayIndex = (this.relayIndex + 1) % this.relays.length;
      this.log(`relay connection lost (${this.lastError}); ${this.relays.length > 1 ? `moving from ${from} to` : "reconnecting to"}`
        + ` ${this.relays[this.relayIndex]} in ${delay} ms`);
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects++;
      this.connect().catch((e: unknown) => {
        this.lastError = e instanceof Error ? e.message : String(e);
        this.scheduleReconnect();
      });
    }, delay);
  }

  private async signed(request: RegistryMessage, challenge: string): Promise<RegistryMessage> {
    const sig = this.core.ed25519Sign(this.options.identitySeed, ascii(challenge));
    return this.transport.registry({ ...request, signature: b64(sig ?? new Uint8Array(64)) });
  }

  // ---------------------------------------------------------------- the step function driver

  /** Runs due timers, moves frames out, dispatches events, and re-arms the timer for the next deadline. */
  step(): void {
    if (!this.handle) return;
    const h = this.handle;
    const d = this.core.nodeNextDeadline(h);
    if (d !== null && d <= this.now()) this.core.nodeHandleTimeout(h, this.now());
    this.saveSessionsIfDue(h); // before this step's datagrams: they may use counters only the save reserves
    for (let t = this.core.nodePollTransmit(h); t; t = this.core.nodePollTransmit(h)) {
      this.transport.send(t.message);
    }
    for (let e = this.core.nodePollEvent(h); e; e = this.core.nodePollEvent(h)) this.onEvent(e);
    const next = this.core.nodeNextDeadline(h);
    if (this.timer) clearTimeout(this.timer);
    this.timer = next === null ? null : setTimeout(() => { this.timer = null; this.step(); }, Math.max(0, next - this.now()));
  }

  // ---------------------------------------------------------------- sessions across an eviction

  private async loadSessions(): Promise<Uint8Array | null> {
    try {
      return (await this.options.sessions?.load()) ?? null;
    } catch (e) {
      this.log(`cannot load saved sessions: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  }

  private restoreSessions(h: number, saved: Uint8Array): void {
    const err = nodeRestore(this.core, h, saved, this.now());
    if (err !== 0) this.log(`saved sessions not restored (${this.core.errorName(err)}): peers will handshake again`);
  }

  /**
   * SNAPSHOT_DUE.REQUIRED is saved at once (a raised counter reservation must be stored before the frame that
   * uses it leaves); ADVISORY (only a receive high-water mark moved) at most every ADVISORY_SAVE_MS, since each
   * save is a storage write and holds this step's output until it is durable.
   */
  private saveSessionsIfDue(h: number): void {
    if (!this.options.sessions) return;
    const due = this.core.nodeSnapshotDue(h);
    const now = this.now();
    if (due === SNAPSHOT_DUE.NONE || (due === SNAPSHOT_DUE.ADVISORY && now - this.lastSessionSave < ADVISORY_SAVE_MS)) return;
    const bytes = nodeSnapshot(this.core, h, now);
    if (bytes) this.options.sessions.save(bytes);
    this.lastSessionSave = now;
  }

  private onEvent(e: NodeEvent): void {
    switch (e.kind) {
      case "PEER_NEEDED":
        if (e.peer) void this.resolvePeer(e.peer.node);
        break;
      case "PONG": this.pings.get(e.stream)?.resolve(e.value); this.pings.delete(e.stream); break;
      case "PING_TIMEOUT":
        this.pings.get(e.stream)?.reject(new PilotError(`no pong from ${e.peer?.text}: ${e.error}`, e.error ?? "TIMED_OUT"));
        this.pings.delete(e.stream);
        break;
      case "STREAM_OPENED": {
        const s = new PilotStream(this, e.stream);
        this.streams.set(e.stream, s);
        this.dialing.get(e.stream)?.resolve(s);
        this.dialing.delete(e.stream);
        break;
      }
      case "STREAM_READABLE": {
        const s = this.streams.get(e.stream);
        if (s) this.drainStream(s);
        break;
      }
      case "STREAM_WRITABLE": this.streams.get(e.stream)?.writable(); break;
      case "STREAM_CLOSED": {
        const d = this.dialing.get(e.stream);
        if (d) {
          d.reject(new PilotError(`stream refused or unreachable: ${e.error}`, e.error ?? "REFUSED"));
          this.dialing.delete(e.stream);
        }
        const s = this.streams.get(e.stream);
        if (s) {
          if (e.error) s.end(e.error); // the core dropped unread data of a failed stream
          else if (!this.drainStream(s)) s.end(null); // closed cleanly and everything was read
          this.streams.delete(e.stream);
        }
        break;
      }
      case "DATAGRAM":
        if (e.peer && e.data) this.datagramHandlers.get(e.localPort)?.(e.peer.text, e.remotePort, e.data);
        break;
      default:
        break;
    }
  }

  /** Looks a peer up, pins its key, resolves its endpoint; `rehandshake` after our own endpoint moved. */
  private async resolvePeer(node: number, rehandshake = false): Promise<void> {
    try {
      const l = await this.transport.registry({ type: "lookup", node_id: node });
      if (l.type !== "lookup_ok") throw new Error(String(l.error ?? "lookup failed"));
      this.core.nodeTrust(this.handle, node, unb64(String(l.public_key)));
      const r = await this.signed({ type: "resolve", node_id: node, requester_id: this.nodeId }, resolveText(this.nodeId, node));
      if (r.type !== "resolve_ok") throw new Error(String(r.error ?? "resolve failed"));
      const real = String(r.real_addr);
      const ep = parseHostPort(real, "IP"); // IPv4, or IPv6 as the relay and hosts spell it ("0:0:0:0:0:0:0:1:port")
      if (!ep.ok || !ep.ip) throw new Error(`the registry named an endpoint that is not IP:PORT: ${real}`);
      this.core.nodeAddPeer(this.handle, node, ep.ip, ep.port, this.now());
      if (rehandshake) this.core.nodeRehandshake(this.handle, node, this.now());
      if (this.resolved.size < MAX_REMEMBERED_PEERS) this.resolved.add(node);
    } catch (e) {
      this.log(`cannot resolve node ${node}: ${e instanceof Error ? e.message : String(e)}`);
      if (this.handle) this.core.nodePeerLookupFailed(this.handle, node, this.now());
    }
    this.step();
  }

  // ---------------------------------------------------------------- application API

  private target(address: string): { network: number; node: number } {
    const a = this.core.addressParse(address);
    if (!a.ok || a.network === undefined || a.node === undefined) throw new PilotError(`not a Pilot address: ${address}`, "BAD_ADDRESS");
    return { network: a.network, node: a.node };
  }

  private requireNode(): number {
    if (!this.handle) throw new PilotError("not connected yet", "INVALID_STATE");
    return this.handle;
  }

  /** Control ping (spec H.2): the round trip in ms. */
  async ping(address: string): Promise<number> {
    await this.connect();
    const t = this.target(address);
    const id = this.core.nodePing(this.requireNode(), t.network, t.node, this.now());
    if (id < 0) throw new PilotError(`cannot ping ${address}: ${this.core.errorName(-id)}`, this.core.errorName(-id));
    const p = new Promise<number>((resolve, reject) => this.pings.set(id, { resolve, reject }));
    this.step();
    return p;
  }

  async openStream(address: string, port: number): Promise<PilotStream> {
    await this.connect();
    const t = this.target(address);
    const id = this.core.nodeOpenStream(this.requireNode(), t.network, t.node, port, this.now());
    if (id < 0) throw new PilotError(`cannot open ${address}:${port}: ${this.core.errorName(-id)}`, this.core.errorName(-id));
    const p = new Promise<PilotStream>((resolve, reject) => this.dialing.set(id, { resolve, reject }));
    this.step();
    return p;
  }

  async sendDatagram(address: string, port: number, data: Uint8Array): Promise<number> {
    await this.connect();
    const t = this.target(address);
    const r = this.core.nodeSendDatagram(this.requireNode(), t.network, t.node, port, data, this.now());
    if (r < 0) throw new PilotError(`cannot send a datagram: ${this.core.errorName(-r)}`, this.core.errorName(-r));
    this.step();
    return r;
  }

  onDatagram(port: number, handler: (from: string, srcPort: number, data: Uint8Array) => void): void {
    this.datagramHandlers.set(port, handler);
    if (this.handle) this.core.nodeListen(this.handle, port);
  }

  /** @internal */
  writeStream(s: PilotStream, data: Uint8Array): number {
    const n = this.core.nodeWrite(this.requireNode(), s.id, data, this.now());
    this.step();
    return n;
  }

  /** @internal: the reader wants more (ReadableStream pull). */
  pullStream(s: PilotStream): void {
    this.drainStream(s);
    this.step();
  }

  /** Moves received bytes into the stream while its reader wants more; ends it at end of data. */
  private drainStream(s: PilotStream): boolean {
    if (!this.handle) return false;
    // null: the core no longer holds the stream. Then "at EOF" says nothing (a failed stream is gone
    // too): only STREAM_CLOSED ends it, with its error if it failed, so a reset never looks like an end.
    if (this.core.nodeRead(this.handle, s.id, 0, this.now()) === null) return false;
    while (s.wantsMore()) {
      const chunk = this.core.nodeRead(this.handle, s.id, 65536, this.now());
      if (!chunk || chunk.length === 0) break;
      s.push(chunk.slice());
    }
    if (this.core.nodeAtEof(this.handle, s.id)) s.end(null);
    return true;
  }

  /** @internal */
  closeStream(s: PilotStream, mode: CloseMode = "half"): void {
    if (this.handle) this.core.nodeCloseStreamMode(this.handle, s.id, mode, this.now());
    this.step();
  }

  /** @internal */
  expectReply(s: PilotStream, reply: ReplyPolicy): void {
    if (this.handle) this.core.nodeExpectReply(this.handle, s.id, reply, this.now());
  }

  /**
   * Sends a request on a new stream the way real Pilot peers expect (they close both directions on a
   * FIN): the request is written (paced to an echo), our side stays open until the reply has ended, and
   * the returned stream's readable is the reply. A reset, timeout, short echo or a request source that
   * fails ends the readable with an error, never a clean short end.
   */
  async request(address: string, port: number, body: Uint8Array | ReadableStream<Uint8Array>,
    options: RequestOptions = {}): Promise<PilotStream> {
    const s = await this.openStream(address, port);
    const close = options.close ?? "after-reply";
    if (close === "after-reply") s.expectReply(options.reply ?? (port === 7 ? { expect: "echo" } : { quietMs: 2_000 }));
    const limit = options.maxRequestBytes ?? Number.MAX_SAFE_INTEGER;
    const pump = async (): Promise<void> => {
      try {
        if (body instanceof Uint8Array) {
          if (body.length > limit) throw new PilotError(`request over ${limit} bytes`, "LIMIT_REACHED");
          await s.write(body);
        } else {
          const reader = body.getReader();
          let seen = 0;
          let dropped = -1; // >= 0 once the stream failed: the rest of the body is read and dropped, bounded
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            seen += value.byteLength;
            if (dropped >= 0 || (s.closedReason !== undefined && s.closedReason !== null)) {
              dropped = Math.max(dropped, 0) + value.byteLength;
              if (dropped > DRAIN_AFTER_FAILURE_BYTES) {
                await reader.cancel().catch(() => {});
                break;
              }
              continue;
            }
            if (seen > limit) {
              await reader.cancel().catch(() => {});
              throw new PilotError(`request over ${limit} bytes`, "LIMIT_REACHED");
            }
            try {
              await s.write(value);
            } catch {
              dropped = 0; // the stream failed under us: its end event carries why
            }
          }
          if (dropped >= 0) throw new PilotError("stream failed", s.closedReason ?? "ABORTED");
        }
        s.close(close);
      } catch (e) {
        // the request could not be sent whole: the peer must not mistake it for a complete one
        this.abortStream(s, e instanceof PilotError ? e.code : "ABORTED");
      }
    };
    s.requestSent = pump();
    return s;
  }

  /** @internal */
  abortStream(s: PilotStream, reason = "ABORTED"): void {
    if (this.handle) this.core.nodeAbortStream(this.handle, s.id, this.now());
    s.end(reason);
    this.step();
  }

  /**
   * Stops the peer. Pending delayed ACKs go out at once, and the transport stays up for at most
   * LINGER_MS while FINs and data of ours are still unacknowledged, so peers do not retransmit into a
   * closed connection and reset.
   */
  async shutdown(): Promise<void> {
    const until = this.now() + LINGER_MS;
    while (this.handle && !this.core.nodeFlushStreams(this.handle, this.now()) && this.now() < until) {
      this.step();
      await new Promise((r) => setTimeout(r, 10));
    }
    if (this.handle) this.step();
    this.close();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.transport.close();
    if (this.handle) this.core.free(this.handle);
    this.handle = 0;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
