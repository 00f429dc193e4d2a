// A JVM host the Worker holds a session with is stopped and started again with the same identity: same node,
// a new UDP port, registered there. The Worker's old session points at the dead port; it must reach the host
// again without a restart of its own (a ping timeout makes it ask the registry again; a new endpoint gets a fresh handshake).
import { SELF, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

const auth = { authorization: "Bearer test-secret" };

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`http://worker${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
}

async function control(path: string): Promise<{ address: string; endpoint: string }> {
  const r = await fetch(`${env.CONTROL_URL}${path}`);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: ${text}`);
  return JSON.parse(text) as { address: string; endpoint: string };
}

async function ping(address: string): Promise<Response> {
  return api("/v1/ping", { method: "POST", body: JSON.stringify({ address }) });
}

describe("a peer restarted on a new port", () => {
  it("is reached again after one visible TIMED_OUT, pinged and streamed to", async () => {
    const before = await control("/start-mover");
    for (let i = 0; i < 100; i++) { // the Worker connects to its relay first
      const s = (await (await api("/v1/status")).json()) as Record<string, unknown>;
      if (s.connection === "ready") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await ping(before.address)).status).toBe(200); // a session with the first process

    const after = await control("/restart-mover");
    expect(after.address).toBe(before.address);
    expect(after.endpoint).not.toBe(before.endpoint);

    // the first ping still goes to the dead port: a typed error, not a hang
    
    const first = await ping(after.address);
    expect(first.status).toBe(504);
    expect(await first.json()).toMatchObject({ code: "TIMED_OUT" });
    // its timeout made the Worker ask the registry again and handshake afresh at the answer: within two more
    // pings (one sent before the new session is up still goes nowhere) the new process answers, and a stream echoes
    const statuses = [first.status];
    for (let i = 0; i < 2 && statuses[statuses.length - 1] !== 200; i++) statuses.push((await ping(after.address)).status);
    expect(statuses.at(-1), `statuses ${statuses.join(", ")}`).toBe(200);
    const data = new Uint8Array(50_000).map((_, i) => i * 7);
    const echoed = await api(`/v1/streams?address=${after.address}&port=7`, { method: "POST", body: data });
    expect(echoed.status).toBe(200);
    expect(new Uint8Array(await echoed.arrayBuffer())).toEqual(data);
  });
});
