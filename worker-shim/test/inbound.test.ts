// The dial-in transport on its own, with stand-in sockets: what the relay must send, what it gets back, and
// how the transport comes back after the runtime hibernated the object (sockets and their attachments only).
import { describe, expect, it } from "vitest";
import { getCore } from "../src/core.js";
import { InboundTransport, INBOUND_AUTH_MS, MAX_PENDING_DIAL_INS, REFUSED_LOG_MS, relayDialText, type InboundOptions } from "../src/inbound.js";
import { Timers } from "../src/timers.js";
import { b64 } from "../src/bytes.js";
import { PilotError, PilotPeer, PilotStream } from "../src/peer.js";

/** Enough of a hibernatable WebSocket: sent messages, the close, the attachment. */
class FakeSocket {
  sent: Array<string | Uint8Array> = [];
  closed: { code: number; reason: string } | null = null;
  private attachment: unknown = null;
  send(m: string | Uint8Array): void { this.sent.push(m); }
  close(code: number, reason: string): void { this.closed ??= { code, reason }; }
  serializeAttachment(a: unknown): void { this.attachment = structuredClone(a); }
  deserializeAttachment(): unknown { return structuredClone(this.attachment); }
  json(i: number): Record<string, unknown> { return JSON.parse(String(this.sent[i])) as Record<string, unknown>; }
}

const ws = (s: FakeSocket) => s as unknown as WebSocket;

async function setup(now = () => Date.now()) {
  const core = await getCore();
  const workerSeed = new Uint8Array(32).fill(1);
  const relaySeed = new Uint8Array(32).fill(2);
  const workerKey = b64(core.ed25519Public(workerSeed)!);
  const relayKey = core.ed25519Public(relaySeed)!;
  const timers = new Timers();
  const options: InboundOptions = {
    publicKeyBase64: workerKey, sign: (m) => core.ed25519Sign(workerSeed, m)!,
    verify: (k, m, s) => core.ed25519Verify(k, m, s), relayKey: () => relayKey, nodeId: () => 77,
    random: (n) => new Uint8Array(n).fill(0xab), timers, now, log: () => {},
  };
  const proof = (nonce: string, seed = relaySeed) => JSON.stringify({
    type: "relay_proof", relay_key: b64(relayKey), sig: b64(core.ed25519Sign(seed, relayDialText(nonce, workerKey))!) });
  return { core, options, timers, proof, workerKey };
}

describe("InboundTransport", () => {
  it("challenges, takes the pinned relay's proof, logs in and carries frames", async () => {
    const { options, timers, proof } = await setup();
    const t = new InboundTransport(options);
    const states: string[] = [];
    t.onStateChange = (s) => states.push(s);
    const messages: number[][] = [];
    t.onMessage = (m) => messages.push(Array.from(m));
    const s = new FakeSocket();
    t.accept(ws(s));
    expect(s.json(0)).toEqual({ type: "relay_challenge", nonce: "ab".repeat(16) });
    expect(t.hasPending()).toBe(true);
    expect(timers.count).toBe(1); // the 10 s limit
    t.message(ws(s), proof("ab".repeat(16)));
    t.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "cd".repeat(32) }));
    expect(s.json(1)).toMatchObject({ type: "auth_reply", node_id: 77 });
    t.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    expect(states).toEqual(["ready"]);
    expect(t.endpoint).toBe("127.0.0.1:4000");
    expect(t.hasPending()).toBe(false);
    expect(timers.count).toBe(0);
    t.message(ws(s), new Uint8Array([4, 10, 0, 0, 1, 0x1f, 0x90, 1, 2, 3]).buffer);
    expect(messages).toEqual([[4, 10, 0, 0, 1, 0x1f, 0x90, 1, 2, 3]]); // as it came: the core reads the header
    expect(t.send(new Uint8Array([4, 10, 0, 0, 1, 0x1f, 0x90, 9]))).toBe(true);
    expect(Array.from(s.sent[2] as Uint8Array)).toEqual([4, 10, 0, 0, 1, 0x1f, 0x90, 9]);
  });

  it("asks for batches once the relay proved its key, hands a batch on message by message, keeps stream_mss and the relay's batch across hibernation", async () => {
    const { options, proof } = await setup();
    const t = new InboundTransport(options);
    const got: Array<[number[], boolean | undefined]> = [];
    t.onMessage = (m, more) => got.push([Array.from(m), more]);
    const s = new FakeSocket();
    t.accept(ws(s));
    const a = [4, 10, 0, 0, 1, 0x1f, 0x90, 1];
    const b = [4, 10, 0, 0, 1, 0x1f, 0x90, 2, 3];
    const batch = Uint8Array.of(0, 0, a.length, ...a, 0, b.length, ...b);
    t.message(ws(s), batch.slice().buffer); // before any proof: not ours to take
    t.message(ws(s), proof("ab".repeat(16)));
    t.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "cd".repeat(32) }));
    expect(s.json(1)).toMatchObject({ type: "auth_reply", node_id: 77, batch: true });
    t.message(ws(s), batch.slice().buffer); // proven relay, but not logged in yet
    expect(got).toEqual([]);
    expect(t.batchOut).toBe(false);
    t.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000", stream_mss: 4096, batch: true }));
    expect(t.streamMss).toBe(4096);
    expect(t.batchOut).toBe(true); // the relay takes batches from us too
    t.message(ws(s), batch.slice().buffer);
    expect(got).toEqual([[a, true], [b, false]]); // one step per batch: `more` until the last
    t.message(ws(s), Uint8Array.of(0, 0, 9, ...a).buffer); // a record past the end: dropped whole
    t.message(ws(s), Uint8Array.of(0).buffer); // no record
    expect(got.length).toBe(2);
    t.message(ws(s), Uint8Array.from(a).buffer);
    expect(got[2]).toEqual([a, undefined]); // a single message as before

    const woken = new InboundTransport(options, [ws(s)]); // after a hibernation: from the socket's attachment
    expect(woken.state).toBe("ready");
    expect(woken.streamMss).toBe(4096);
    expect(woken.batchOut).toBe(true);
    const other = new FakeSocket();
    other.serializeAttachment({ stage: "ready", nonce: "00", since: 0, endpoint: "127.0.0.1:4000", streamMss: 65535 });
    expect(new InboundTransport(options, [ws(other)]).streamMss).toBeNull(); // only a size a Worker may send
    expect(new InboundTransport(options, [ws(other)]).batchOut).toBe(false); // an attachment from before: single messages
  });

  it("a proof that comes before the relay's key is pinned (its dial_in_ok still on its way) waits for the pin, then counts", async () => {
    const { options, proof, core } = await setup();
    let key: Uint8Array | null = null; // trust on first use: pinned from dial_in_ok, which may arrive after the dial
    const t = new InboundTransport({ ...options, relayKey: () => key });
    const states: string[] = [];
    t.onStateChange = (st) => states.push(st);
    const s = new FakeSocket();
    t.accept(ws(s));
    t.message(ws(s), proof("ab".repeat(16)));
    expect(s.closed).toBeNull(); // before: closed 1008 "no relay key pinned", and the relay held off its redial 60 s
    expect(t.refused).toBe(0);
    key = core.ed25519Public(new Uint8Array(32).fill(2));
    t.relayKeyPinned();
    t.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "cd".repeat(32) }));
    expect(s.json(1)).toMatchObject({ type: "auth_reply" });
    t.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    expect(states).toEqual(["ready"]);
    // a held proof by another key is refused once the pin says which key counts
    key = null;
    const t2 = new InboundTransport({ ...options, relayKey: () => key });
    const s2 = new FakeSocket();
    t2.accept(ws(s2));
    t2.message(ws(s2), proof("ab".repeat(16), new Uint8Array(32).fill(9)));
    expect(s2.closed).toBeNull();
    key = core.ed25519Public(new Uint8Array(32).fill(2));
    t2.relayKeyPinned();
    expect(s2.closed?.code).toBe(1008);
    expect(t2.refused).toBe(1);
  });

  it("refuses a proof by another key, and frames before the login", async () => {
    const { options, proof } = await setup();
    const t = new InboundTransport(options);
    const frames: number[] = [];
    t.onMessage = () => frames.push(1);
    const s = new FakeSocket();
    t.accept(ws(s));
    t.message(ws(s), new Uint8Array([4, 10, 0, 0, 1, 0, 80, 1]).buffer);
    expect(frames).toEqual([]);
    t.message(ws(s), proof("ab".repeat(16), new Uint8Array(32).fill(3)));
    expect(s.closed?.code).toBe(1008);
    expect(t.refused).toBe(1);
    t.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "00" })); // late: ignored, not counted again
    expect(t.refused).toBe(1);
    expect(s.sent.length).toBe(1);
    expect(t.state).toBe("idle");
  });

  it("after a hibernation: the logged-in socket is ours again; a stale unauthenticated one is closed", async () => {
    let now = 1_000_000;
    const { options, proof } = await setup(() => now);
    const first = new InboundTransport(options);
    const ready = new FakeSocket();
    first.accept(ws(ready));
    first.message(ws(ready), proof("ab".repeat(16)));
    first.message(ws(ready), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    const stale = new FakeSocket();
    stale.serializeAttachment({ stage: "proof", nonce: "ab".repeat(16), since: now });
    now += INBOUND_AUTH_MS + 1;

    // the object is gone; the runtime kept the sockets and their attachments
    const woken = new InboundTransport(options, [ws(ready), ws(stale)]);
    expect(woken.state).toBe("ready");
    expect(woken.endpoint).toBe("127.0.0.1:4000");
    expect(stale.closed?.code).toBe(1008);
    expect(woken.hasPending()).toBe(false);
    expect(woken.send(new Uint8Array([4, 127, 0, 0, 1, 0, 9, 1]))).toBe(true);
  });

  it("a JSON value that is not an object (null, a number) is refused before the proof, never thrown", async () => {
    const { options } = await setup();
    const t = new InboundTransport(options);
    for (const text of ["null", "7", "\"x\"", "[]"]) {
      const s = new FakeSocket();
      t.accept(ws(s));
      expect(() => t.message(ws(s), text)).not.toThrow();
      expect(s.closed?.code).toBe(1008);
    }
    expect(t.refused).toBe(4);
    expect(t.hasPending()).toBe(false);
  });

  it("on a logged-in socket, null and other non-objects are ignored, never thrown", async () => {
    const { options, proof } = await setup();
    const t = new InboundTransport(options);
    const s = new FakeSocket();
    t.accept(ws(s));
    t.message(ws(s), proof("ab".repeat(16)));
    t.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    for (const text of ["null", "0", "true"]) expect(() => t.message(ws(s), text)).not.toThrow();
    expect(t.state).toBe("ready");
    expect(s.closed).toBeNull();
  });

  it("strangers holding unauthenticated sockets cannot keep the real relay out: the oldest unproven one makes room", async () => {
    const { options, proof } = await setup();
    const t = new InboundTransport(options);
    const strangers = Array.from({ length: MAX_PENDING_DIAL_INS }, () => new FakeSocket());
    for (const s of strangers) {
      expect(t.canAccept()).toBe(true);
      t.accept(ws(s)); // and then silence, for up to INBOUND_AUTH_MS each
    }
    expect(t.canAccept()).toBe(true); // before: a second pending socket got HTTP 429 for as long as one was held
    const relay = new FakeSocket();
    t.accept(ws(relay));
    expect(strangers[0]!.closed?.code).toBe(1008); // the oldest unproven one went
    expect(strangers.slice(1).every((s) => s.closed === null)).toBe(true);
    t.message(ws(relay), proof("ab".repeat(16)));
    // a proven socket is never the one that makes room: more strangers replace only each other
    for (let i = 0; i < 2 * MAX_PENDING_DIAL_INS; i++) t.accept(ws(new FakeSocket()));
    expect(relay.closed).toBeNull();
    t.message(ws(relay), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    expect(t.state).toBe("ready");
    expect(t.pendingSockets).toBe(MAX_PENDING_DIAL_INS - 1); // the strangers left, each to its own 10 s limit
  });

  it("each unauthenticated socket has its own 10 s limit", async () => {
    const { options, timers } = await setup();
    const t = new InboundTransport(options);
    const a = new FakeSocket();
    const b = new FakeSocket();
    t.accept(ws(a));
    t.accept(ws(b));
    expect(timers.count).toBe(2);
    t.message(ws(a), "null"); // a is refused: b keeps its timer
    expect(timers.count).toBe(1);
    expect(b.closed).toBeNull();
  });

  it("refusals are logged at most once per REFUSED_LOG_MS, with a count of those left out", async () => {
    let now = 5_000_000;
    const { options } = await setup(() => now);
    const lines: string[] = [];
    const t = new InboundTransport({ ...options, log: (l) => lines.push(l) });
    for (let i = 0; i < 50; i++) {
      const s = new FakeSocket();
      t.accept(ws(s));
      t.message(ws(s), JSON.stringify({ type: "relay_proof", relay_key: "AA==", sig: "AA==" }));
    }
    expect(t.refused).toBe(50);
    expect(lines).toEqual(["dial-in refused: wrong relay proof"]); // before: 50 lines for 50 strangers
    now += REFUSED_LOG_MS;
    const s = new FakeSocket();
    t.accept(ws(s));
    t.message(ws(s), "null");
    expect(lines[1]).toBe("dial-in refused: expected relay_proof (49 more since the last line)");
  });
});

describe("a node made after a wake (dial-in, no registry call)", () => {
  it("sends the relay's stream_mss: the logged-in socket's, else the one stored at the last registration, else the default", async () => {
    const core = await getCore();
    const nodeNew = core.nodeNew.bind(core);
    const made: Array<number | undefined> = [];
    const spied = core as { nodeNew: typeof core.nodeNew };
    spied.nodeNew = (o) => {
      made.push(o.streamMss);
      return nodeNew(o);
    };
    try {
      const base = { relayUrls: ["ws://127.0.0.1:9/v1/relay"], identitySeed: new Uint8Array(32).fill(5), nodeId: 42, webCrypto: false, log: () => {} };
      const dialIn = (sockets: WebSocket[]) => ({
        url: "http://127.0.0.1:9/pilot/relay-in/x", sockets, relayKey: () => null, pinRelayKey: () => {}, setAlarm: () => {},
      });
      const ready = new FakeSocket();
      ready.serializeAttachment({ stage: "ready", nonce: "00", since: Date.now(), endpoint: "127.0.0.1:4000", streamMss: 1024 });
      const peers = [
        await PilotPeer.create({ ...base, registeredStreamMss: 4096, dialIn: dialIn([]) }), // the relay has not answered
        await PilotPeer.create({ ...base, registeredStreamMss: 4096, dialIn: dialIn([ws(ready)]) }), // its auth_ok said 1024
        await PilotPeer.create({ ...base, dialIn: dialIn([]) }), // nothing stored, nothing said
      ];
      for (const p of peers) await p.resume(false);
      expect(made).toEqual([4096, 1024, undefined]);
      for (const p of peers) p.close();
    } finally {
      spied.nodeNew = nodeNew;
    }
  });

  it("a dial-in that logs in with another stream_mss than the node was made with sets it for the streams opened next", async () => {
    const { core, proof, workerKey } = await setup();
    const { nodeNew, nodeSetStreamMss } = core;
    const made: Array<number | undefined> = [];
    const set: Array<number | undefined> = [];
    const spied = core as { nodeNew: typeof core.nodeNew; nodeSetStreamMss: typeof core.nodeSetStreamMss };
    spied.nodeNew = (o) => { made.push(o.streamMss); return nodeNew(o); };
    spied.nodeSetStreamMss = (h, mss) => { set.push(mss); return nodeSetStreamMss(h, mss); };
    try {
      const relayKey = core.ed25519Public(new Uint8Array(32).fill(2));
      const peer = await PilotPeer.create({
        relayUrls: ["ws://127.0.0.1:9/v1/relay"], identitySeed: new Uint8Array(32).fill(1), nodeId: 42, webCrypto: false,
        log: () => {}, registeredStreamMss: 4096, dialIn: {
          url: "http://127.0.0.1:9/pilot/relay-in/x", sockets: [], relayKey: () => relayKey, pinRelayKey: () => {}, setAlarm: () => {},
        },
      });
      expect(peer.publicKeyBase64).toBe(workerKey);
      await peer.resume(false); // woken: the node from the size stored at the last registration
      expect(made).toEqual([4096]);
      const s = new FakeSocket();
      const inbound = peer.inbound;
      if (!inbound) throw new Error("no dial-in transport");
      inbound.accept(ws(s)); // the relay dials in, and says the segment of a relay on a network
      inbound.message(ws(s), proof(String(s.json(0).nonce)));
      inbound.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "cd".repeat(32) }));
      expect(set).toEqual([]);
      inbound.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000", stream_mss: 1024 }));
      expect(peer.status().transport).toBe("inbound");
      expect(set).toEqual([1024]);
      expect(made).toEqual([4096]); // the same node (its sessions kept), not a new one
      peer.close();
    } finally {
      spied.nodeNew = nodeNew;
      spied.nodeSetStreamMss = nodeSetStreamMss;
    }
  });
});

describe("a registry look-up in flight when the relay dials in", () => {
  it("is asked again over the dial-in connection, not lost with the outbound one it was sent on", { timeout: 10_000 }, async () => {
    const { core, proof } = await setup();
    const relayKey = core.ed25519Public(new Uint8Array(32).fill(2));
    const peer = await PilotPeer.create({
      relayUrls: ["ws://127.0.0.1:9/v1/relay"], identitySeed: new Uint8Array(32).fill(1), nodeId: 42, webCrypto: false,
      log: () => {}, dialIn: {
        url: "http://127.0.0.1:9/pilot/relay-in/x", sockets: [], relayKey: () => relayKey, pinRelayKey: () => {}, setAlarm: () => {},
      },
    });
    await peer.resume(false);
    // our own connection to the relay, logged in; its registry answers never come (the relay dials in meanwhile)
    const asked: Array<Record<string, unknown>> = [];
    const pending: Array<(e: Error) => void> = [];
    const outbound = {
      state: "ready", endpoint: "127.0.0.1:5000", streamMss: null, batchOut: false,
      connect: () => Promise.resolve(), send: () => true,
      registry: (r: Record<string, unknown>) => { asked.push(r); return new Promise((_, reject) => pending.push(reject)); },
      close: (reason = "closed") => { outbound.state = "closed"; for (const f of pending.splice(0)) f(new Error(reason)); },
      onMessage: () => {}, onStateChange: () => {},
    };
    (peer as unknown as { transport: typeof outbound }).transport = outbound;
    const ping = peer.ping("0:0000.0000.0010").catch((e: unknown) => e);
    for (let i = 0; i < 20 && asked.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(asked.map((r) => r.type)).toEqual(["lookup"]);
    const inbound = peer.inbound;
    if (!inbound) throw new Error("no dial-in transport");
    const s = new FakeSocket();
    inbound.accept(ws(s)); // the relay dials in: we move to it and close our own connection
    inbound.message(ws(s), proof(String(s.json(0).nonce)));
    inbound.message(ws(s), JSON.stringify({ type: "auth_challenge", nonce: "cd".repeat(32) }));
    inbound.message(ws(s), JSON.stringify({ type: "auth_ok", endpoint: "127.0.0.1:4000" }));
    expect(outbound.state).toBe("closed");
    const overDialIn = () => s.sent.slice(2).map((m) => JSON.parse(String(m)) as Record<string, unknown>)
      .filter((m) => m.type === "registry").map((m) => (m.request as Record<string, unknown>).type);
    for (let i = 0; i < 20 && overDialIn().length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(overDialIn()).toEqual(["lookup"]); // before: nothing until a ping timeout asked again
    peer.close();
    const closed = await ping; // closing the peer settles what waits on it (before: this ping never settled)
    expect(closed).toBeInstanceOf(PilotError);
    expect((closed as PilotError).code).toBe("ABORTED");
  });
});

describe("closing the peer", () => {
  it("ends its open streams: a reader and a writer get ABORTED instead of waiting forever", { timeout: 10_000 }, async () => {
    const peer = await PilotPeer.create({
      relayUrls: ["ws://127.0.0.1:9/v1/relay"], identitySeed: new Uint8Array(32).fill(1), nodeId: 42, webCrypto: false, log: () => {},
    });
    // a stream as an accepted or dialled one is held (white box: no second peer needed to open one)
    const s = new PilotStream(peer, 5);
    (peer as unknown as { streams: Map<number, PilotStream> }).streams.set(5, s);
    const read = s.readable.getReader().read().catch((e: unknown) => e);
    peer.close();
    const failed = await read; // before: never settled, so a /v1/streams response hung until its client gave up
    expect(failed).toBeInstanceOf(PilotError);
    expect((failed as PilotError).code).toBe("ABORTED");
    const write = await s.write(new Uint8Array(1)).catch((e: unknown) => e);
    expect((write as PilotError).code).toBe("ABORTED");
  });
});
