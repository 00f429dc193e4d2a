// IPv6 on the Worker path (issue 14): a Worker whose relay gives it a UDP endpoint on ::1 pings a JVM host
// on ::1 and streams through it. The relay messages carry 16-byte addresses, which go to and come from the
// core as bytes; the registry and the relay spell them with colons (edge.ts parseHostPort).
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { PilotPeer } from "../src/index.js";
import { decodeRelayMessage, encodeRelayMessage, parseHostPort } from "../src/edge.js";
import { hex, random } from "./bytes.js";

describe("IPv6 on the Worker path", () => {
  it("takes the registry's IPv6 spellings and frames 16-byte addresses", () => {
    const loop = Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : 0));
    for (const text of ["[::1]:4000", "::1:4000", "0:0:0:0:0:0:0:1:4000"]) {
      expect(parseHostPort(text, "IP"), text).toEqual({ ok: true, host: text.startsWith("[") ? "::1" : text.slice(0, -5), ip: loop, port: 4000 });
    }
    const msg = encodeRelayMessage(loop, 4000, Uint8Array.of(9, 8, 7));
    expect(Array.from(msg)).toEqual([16, ...new Array(15).fill(0), 1, 0x0f, 0xa0, 9, 8, 7]);
    expect(decodeRelayMessage(msg)).toEqual({ ok: true, ip: loop, port: 4000, frameOffset: 19 });
  });

  it("pings a host on ::1 and echoes 256 KiB through it, with a relay endpoint on ::1", async () => {
    const host6 = inject("host6Address");
    const peer = await PilotPeer.create({ relayUrls: [env.RELAY6_URL], identitySeed: random(32) });
    try {
      await peer.connect();
      expect(peer.status().endpoint).toMatch(/^0:0:0:0:0:0:0:1:\d+$/);
      expect(await peer.ping(host6)).toBeGreaterThanOrEqual(0);
      const data = random(256 << 10);
      const s = await peer.request(host6, 7, data);
      const back = await new Response(s.readable).arrayBuffer();
      expect(back.byteLength).toBe(data.length);
      expect(await hex(back)).toBe(await hex(data.buffer));
    } finally {
      peer.close();
    }
  });
});
