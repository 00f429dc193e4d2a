// src/transport.ts: what a Worker takes from the relay's auth_ok. Pure functions, run inside workerd.
import { describe, expect, it } from "vitest";
import { BATCH_MARK } from "../src/edge.js";
import { authReply, deliverBinary, STREAM_MSS_MAX, STREAM_MSS_MIN, streamMssOf } from "../src/transport.js";

describe("auth_ok stream_mss", () => {
  it("is taken when it is a segment size a Worker may send (1024..4096, RelayProtocol.java)", () => {
    expect(streamMssOf({ type: "auth_ok", endpoint: "127.0.0.1:1", stream_mss: 4096 })).toBe(4096);
    expect(streamMssOf({ type: "auth_ok", stream_mss: 1024 })).toBe(1024);
    expect([STREAM_MSS_MIN, STREAM_MSS_MAX]).toEqual([1024, 4096]);
  });

  it("anything else leaves the core's default (null): absent, out of range, not an integer, not a number", () => {
    for (const v of [undefined, null, 0, 1, 1023, 4097, 65535, 2048.5, "4096", Number.NaN, Infinity, {}]) {
      expect(streamMssOf({ type: "auth_ok", stream_mss: v as unknown })).toBeNull();
    }
  });
});

describe("batches from the relay (edge.ts splitBatch, RelayBatch in core-logic; the cases are edge.json's)", () => {
  const msg = (n: number, fill: number): Uint8Array => { const m = new Uint8Array(n).fill(fill); m[0] = 4; return m; };
  const batch = (...ms: Uint8Array[]): Uint8Array => {
    const out = new Uint8Array(1 + ms.reduce((n, m) => n + 2 + m.length, 0));
    out[0] = BATCH_MARK;
    let at = 1;
    for (const m of ms) { out[at] = m.length >> 8; out[at + 1] = m.length & 0xff; out.set(m, at + 2); at += 2 + m.length; }
    return out;
  };
  const deliver = (m: Uint8Array): Array<[number, number, boolean | undefined]> => {
    const got: Array<[number, number, boolean | undefined]> = [];
    deliverBinary(m, (one, more) => got.push([one.length, one[5] ?? -1, more]));
    return got;
  };

  it("a single relay message (ipLen 4 or 16 first) goes on as it is", () => {
    expect(deliver(msg(30, 1))).toEqual([[30, 1, undefined]]);
  });

  it("a batch goes on message by message, in order, `more` on all but the last (one step per batch)", () => {
    expect(deliver(batch(msg(4166, 7), msg(70, 8), msg(300, 9)))).toEqual([[4166, 7, true], [70, 8, true], [300, 9, false]]);
  });

  it("a malformed batch is dropped whole: nothing of it reaches the core", () => {
    const whole = batch(msg(40, 1), msg(50, 2));
    expect(deliver(whole.subarray(0, whole.length - 1))).toEqual([]);
    expect(deliver(Uint8Array.of(BATCH_MARK, 0xff))).toEqual([]);
    expect(deliver(Uint8Array.of(BATCH_MARK))).toEqual([]);
  });

  it("our login asks for batches only when told to", () => {
    const sign = (): Uint8Array => new Uint8Array(64);
    expect(JSON.parse(authReply("00", "a2V5", sign, 0, true)).batch).toBe(true);
    expect("batch" in JSON.parse(authReply("00", "a2V5", sign, 5))).toBe(false);
  });
});
