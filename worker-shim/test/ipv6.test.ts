// IPv6 on the Worker path (issue 14): a Worker whose relay gives it a UDP endpoint on ::1 pings a JVM host
// on ::1 and streams through it. The relay frames carry 16-byte addresses; the core takes them as 32 hex
// digits, the registry and the relay spell them with colons.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { PilotPeer } from "../src/index.js";
import { coreIp, ipBytes, packDatagram, unpackDatagram } from "../src/transport.js";

function random(n: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  return data;
}

async function hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", buf);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("IPv6 on the Worker path", () => {
  it("spells addresses the way each side needs them", () => {
    const loop = "00000000000000000000000000000001";
    for (const text of ["::1", "0:0:0:0:0:0:0:1", "[::1]", "::1%lo", loop]) expect(coreIp(ipBytes(text) ?? new Uint8Array()), text).toBe(loop);
    expect(coreIp(ipBytes("2001:db8::ab:cd") ?? new Uint8Array())).toBe("20010db8" + "0".repeat(16) + "00ab00cd");
    expect(coreIp(ipBytes("127.0.0.1") ?? new Uint8Array())).toBe("127.0.0.1");
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7", "12345::", "300.0.0.1", "host", ""]) expect(ipBytes(bad), bad).toBeNull();
    const msg = packDatagram(loop, 4000, Uint8Array.of(9, 8, 7));
    expect(Array.from(msg ?? [])).toEqual([16, ...new Array(15).fill(0), 1, 0x0f, 0xa0, 9, 8, 7]);
    expect(unpackDatagram(msg ?? new Uint8Array())).toMatchObject({ ip: loop, port: 4000 });
    expect(packDatagram("not an ip", 1, Uint8Array.of(1))).toBeNull();
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
