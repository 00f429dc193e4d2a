// Sessions that survive the loss of a Worker peer (issue 17 item 2): a peer given a session store saves its
// sessions when the core marks them due, and a new peer with the same identity restores them before it
// handles any frame, then talks to the JVM host under the old session, sealing above the saved reservation.
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { PilotPeer } from "../src/index.js";
import { relayList } from "../src/durable-object.js";
import { random } from "./bytes.js";

/** reservedUpTo of the first entry of a snapshot (docs/SPEC-NOTES.md #37: entry at 12, field at 109 + ipLen). */
function reservedUpTo(snapshot: Uint8Array): bigint {
  const ipLen = snapshot[12 + 6] ?? 0;
  return new DataView(snapshot.buffer, snapshot.byteOffset).getBigUint64(12 + 109 + ipLen);
}

async function pingSoon(peer: PilotPeer, address: string): Promise<number> {
  for (let i = 0; ; i++) {
    try {
      return await peer.ping(address);
    } catch (e) {
      if (i >= 4) throw e; // the restored peer's look-up (it opens the relay for the host) may still be out
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe("sessions across the loss of a Worker peer", () => {
  it("are saved when due, restored before any frame, and keep talking to the JVM host above the saved counters", async () => {
    const host = inject("hostAddress");
    const relay = relayList(env)[0] ?? "";
    const seed = random(32);
    const saves: Uint8Array[] = [];
    const sessions = { load: async () => saves.at(-1) ?? null, save: (b: Uint8Array) => { saves.push(b.slice()); } };

    const first = await PilotPeer.create({ relayUrls: [relay], identitySeed: seed, sessions });
    let address: string | null;
    try {
      await first.connect();
      expect(await pingSoon(first, host)).toBeGreaterThanOrEqual(0);
      address = first.address;
    } finally {
      first.close();
    }
    const saved = saves.at(-1);
    if (!saved) throw new Error("the new session was never saved");
    expect(new TextDecoder().decode(saved.subarray(0, 4))).toBe("PISN");
    expect((saved[10] ?? 0) * 256 + (saved[11] ?? 0)).toBe(1);
    const savesBefore = saves.length;

    const second = await PilotPeer.create({ relayUrls: [relay], identitySeed: seed, sessions });
    try {
      await second.connect();
      expect(second.address).toBe(address);
      expect(second.status().node?.peers).toBe(1); // the restored session, before any frame
      expect(await pingSoon(second, host)).toBeGreaterThanOrEqual(0);
      const dropped = second.status().node?.dropped ?? {};
      expect(dropped.NO_SESSION ?? 0).toBe(0);
      expect(saves.length).toBeGreaterThan(savesBefore); // the first seal raised the reservation
      expect(reservedUpTo(saves.at(-1) ?? saved)).toBe(reservedUpTo(saved) + 65536n);
    } finally {
      second.close();
    }
  });
});
