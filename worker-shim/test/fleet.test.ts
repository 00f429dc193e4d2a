// A Worker given two relays (RELAY_URLS): it moves to the other when the one in use dies, mid-stream,
// keeps its Pilot address, and its peers learn the new endpoint by a fresh handshake. And datagram
// listeners: a port listened on before the node existed, or before a reconnect, still hears datagrams. And the
// segment size: the first relay (loopback) says stream_mss 4096, the second 1024 (global-setup.mjs, as a relay on
// a network does), and streams opened after a failover are cut to the new relay's size.
import { SELF, env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { PilotPeer } from "../src/index.js";
import { getCore } from "../src/core.js";
import { MAX_RELAYS } from "../src/peer.js";
import { relayList } from "../src/durable-object.js";
import { hex, random } from "./bytes.js";

const auth = { authorization: "Bearer test-secret" };

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`http://worker${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
}

async function control(path: string): Promise<string> {
  const r = await fetch(`${env.CONTROL_URL}${path}`);
  const text = await r.text();
  if (!r.ok) throw new Error(`control ${path}: ${text}`);
  return text;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | null> | T | null): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

type Status = { address: string; connection: string; relay_url: string; reconnects: number };

const status = async (identity: string) => (await (await api(`/v1/status?identity=${identity}`)).json()) as Status;

async function ping(identity: string, address: string): Promise<Response> {
  return api(`/v1/ping?identity=${identity}`, { method: "POST", body: JSON.stringify({ address }) });
}

describe("datagram listeners", () => {
  it("hear on a port listened on before the node existed, and again after a reconnect to another relay", async () => {
    const relays = relayList(env);
    expect(relays.length).toBe(2);
    const a = await PilotPeer.create({ relayUrls: relays, identitySeed: random(32) });
    const b = await PilotPeer.create({ relayUrls: relays, identitySeed: random(32) });
    const heard: string[] = [];
    a.onDatagram(4040, (from, _port, data) => heard.push(`${from} ${new TextDecoder().decode(data)}`));
    try {
      await a.connect(); // the node is created only now, after the listener was set
      await b.connect();
      expect(a.status().relayUrl).toBe(relays[0]);
      await b.ping(a.address ?? "");
      await b.sendDatagram(a.address ?? "", 4040, new TextEncoder().encode("before"));
      await until("the first datagram", 10_000, () => (heard.length > 0 ? true : null));
      expect(heard).toEqual([`${b.address} before`]);

      await control(`/restart-relay?port=${new URL(relays[0] ?? "").port}`);
      await until("both peers on the second relay", 30_000, () =>
        a.status().state === "ready" && b.status().state === "ready" && a.status().relayUrl === relays[1]
          && b.status().relayUrl === relays[1] ? true : null);
      await until("a ping after the move", 30_000, () => b.ping(a.address ?? "").then(() => true, () => null));
      await b.sendDatagram(a.address ?? "", 4040, new TextEncoder().encode("after"));
      await until("the second datagram", 10_000, () => (heard.length > 1 ? true : null));
      expect(heard).toEqual([`${b.address} before`, `${b.address} after`]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe("a fleet of two relays", () => {
  it(`takes 1 to MAX_RELAYS (${MAX_RELAYS}) ws:// or wss:// relay URLs and refuses anything else`, async () => {
    const seed = random(32);
    const url = (i: number) => `wss://relay-${i}.example.com/v1/relay`;
    const ok = await PilotPeer.create({ relayUrls: Array.from({ length: MAX_RELAYS }, (_, i) => url(i)), identitySeed: seed });
    expect(ok.status().relayUrl).toBe(url(0));
    ok.close();
    for (const relayUrls of [[], Array.from({ length: MAX_RELAYS + 1 }, (_, i) => url(i)), ["https://relay.example.com/v1/relay"]]) {
      await expect(PilotPeer.create({ relayUrls, identitySeed: seed })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
  });

  it("moves to the other relay when the one in use dies mid-stream: the stream ends cleanly, ping resumes, same address", async () => {
    const host = inject("hostAddress");
    const before = await until("connected", 20_000, async () => {
      const s = await status("fleet");
      return s.connection === "ready" && s.address ? s : null;
    });
    expect((await ping("fleet", host)).status).toBe(200); // a session with the host before the move
    const dying = new URL(before.relay_url).port;
    const data = random(4 << 20);
    const res = await api(`/v1/streams?identity=fleet&address=${host}&port=7`, { method: "POST", body: data });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const parts: Uint8Array[] = [];
    const first = await reader.read();
    expect(first.done).toBe(false); // the echo is under way
    parts.push(first.value as Uint8Array);
    try {
      await control(`/kill-relay?port=${dying}`);
      // the rest of the echo: every byte (the stream survived the move) or an aborted body, never a short clean end
      let outcome: string;
      try {
        for (;;) {
          const r = await Promise.race([reader.read(), sleep(90_000).then(() => { throw new Error("the stream hung"); })]);
          if (r.done) break;
          parts.push(r.value);
        }
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        expect(all.length).toBe(data.length);
        expect(await hex(all.buffer)).toBe(await hex(data.buffer));
        outcome = "completed, SHA-256 equal";
      } catch (e) {
        if (e instanceof Error && e.message === "the stream hung") throw e;
        outcome = `failed cleanly (${e instanceof Error ? e.message : String(e)})`;
      }
      console.log(`4 MiB echo across the loss of its relay: ${outcome}`);

      const rtt = await until("a ping through the other relay", 30_000, async () => {
        const r = await ping("fleet", host);
        return r.status === 200 ? ((await r.json()) as { rtt_ms: number }).rtt_ms : null;
      });
      expect(rtt).toBeGreaterThanOrEqual(0);
      const after = await status("fleet");
      expect(after.connection).toBe("ready");
      expect(after.address).toBe(before.address); // the same Pilot address
      expect(after.relay_url).not.toBe(before.relay_url);
      expect(after.reconnects).toBeGreaterThan(before.reconnects);
      // and a stream after the move carries every byte
      const again = random(256 << 10);
      const echoed = await api(`/v1/streams?identity=fleet&address=${host}&port=7`, { method: "POST", body: again });
      expect(echoed.status).toBe(200);
      expect(await hex(await echoed.arrayBuffer())).toBe(await hex(again.buffer));
    } finally {
      await control(`/start-relay?port=${dying}`);
    }
  });
});

describe("a Worker that fails over to a relay with a smaller stream_mss", () => {
  /** A relay message around a full segment: ipLen(1) ‖ IPv4(4) ‖ port(2) ‖ frame(36) ‖ packet header(34) ‖ payload. */
  const overhead = 7 + 36 + 34;

  it("cuts the streams it opens there to that relay's segment: 4096 through the first relay, 1024 after the move", async () => {
    const relays = relayList(env);
    const host = inject("hostAddress");
    const core = await getCore();
    const seed = random(32);
    const spied = core as { nodeNew: typeof core.nodeNew; nodePollTransmit: typeof core.nodePollTransmit };
    const { nodeNew, nodePollTransmit } = spied;
    let ours = 0;
    let largest = 0;
    // the relay messages our node hands the transport (other objects in this isolate share the core: not theirs)
    spied.nodeNew = (o) => {
      const h = nodeNew.call(core, o);
      if (o.identitySeed === seed) ours = h;
      return h;
    };
    spied.nodePollTransmit = (h) => {
      const t = nodePollTransmit.call(core, h);
      if (t && h === ours) largest = Math.max(largest, t.message.length);
      return t;
    };
    const peer = await PilotPeer.create({ relayUrls: relays, identitySeed: seed, log: () => {} });
    /** Echoes 64 KiB through the host; the largest relay message our node sent meanwhile. */
    const echo = async (): Promise<number> => {
      largest = 0;
      const body = random(64 << 10);
      const s = await peer.request(host, 7, body);
      const got = new Uint8Array(await new Response(s.readable).arrayBuffer());
      expect(await hex(got.buffer)).toBe(await hex(body.buffer));
      return largest;
    };
    try {
      await peer.connect();
      expect(peer.status().relayUrl).toBe(relays[0]);
      expect(await echo()).toBe(4096 + overhead);
      await control(`/restart-relay?port=${new URL(relays[0] ?? "").port}`);
      await until("on the second relay", 30_000, () =>
        peer.status().state === "ready" && peer.status().relayUrl === relays[1] ? true : null);
      expect(await echo()).toBe(1024 + overhead); // 4096 + 77 before the fix: the first relay's segment kept
    } finally {
      peer.close();
      spied.nodeNew = nodeNew;
      spied.nodePollTransmit = nodePollTransmit;
    }
  });
});
