// pilot-core.wasm in Node.js 22: every vector, byte for byte; two peers back to back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { dist, vectorFiles } from "./files.mjs";
import { runVectorSuite } from "../suite/vectors.mjs";
import { runTwoPeers } from "../suite/twopeer.mjs";

const { loadPilotCore } = await import(`${dist}pilot-core.mjs`);
const core = await loadPilotCore(readFileSync(`${dist}pilot-core.wasm`));
const random = (n) => webcrypto.getRandomValues(new Uint8Array(n));

test("every reference and generated vector gives the JVM's bytes", () => {
  const r = runVectorSuite(core, vectorFiles());
  console.log(`node: ${r.passed} vector checks passed`);
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= 300, `only ${r.passed} checks ran`);
});

for (const profile of ["modern", "feb2026"]) {
  test(`two peers: handshake, ping, datagram, echoed stream (${profile})`, () => {
    const r = runTwoPeers(core, random, { profile, streamBytes: 200_000 });
    assert.ok(r.ok, JSON.stringify(r.checks));
    assert.equal(core.liveHandles(), 0, "handles freed");
  });
}

test("bad input yields error codes, never exceptions", () => {
  assert.equal(core.addressParse("nonsense").error, "BAD_ADDRESS");
  assert.equal(core.frameDecode(new Uint8Array(0)).error, "TRUNCATED");
  assert.equal(core.packetDecode(new Uint8Array(10)).error, "TRUNCATED");
  assert.equal(core.open("modern", new Uint8Array(32), new Uint8Array(60)).ok, false);
  assert.equal(core.open("nope", new Uint8Array(3), new Uint8Array(1)).error, "INVALID_ARGUMENT");
  assert.equal(core.seal("modern", new Uint8Array(31), new Uint8Array(4), "1", 1, new Uint8Array(34)), null);
  assert.equal(core.seal("modern", new Uint8Array(32), new Uint8Array(4), "x", 1, new Uint8Array(34)), null);
  assert.equal(core.nodeNew({ node: 1, identitySeed: new Uint8Array(3), entropy: new Uint8Array(32) }), -19);
  assert.equal(core.nodeWrite(12345, 1, new Uint8Array(1), 0), -19);
  assert.equal(core.replayCheck(99999, "1"), 19);
  for (let i = 0; i < 200; i++) {
    const junk = random(4 + (i % 150));
    if (i % 3 === 0) junk.set([0x50, 0x49, 0x4c, [0x53, 0x41, 0x4b, 0x54][i % 4]]);
    const r = core.frameDecode(junk);
    assert.equal(typeof r.ok, "boolean");
  }
});
