// src/transport.ts: what a Worker takes from the relay's auth_ok. Pure functions, run inside workerd.
import { describe, expect, it } from "vitest";
import { STREAM_MSS_MAX, STREAM_MSS_MIN, streamMssOf } from "../src/transport.js";

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
