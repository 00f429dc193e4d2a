// The platform AEAD (node:crypto's native AES-256-GCM behind PlatformAead) against Bouncy Castle in the
// module, in Node.js 22: same wire bytes, same vectors, bounded key table, and Bouncy Castle whenever the
// platform is absent or fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as nodeCrypto from "node:crypto";
import { dist, conformanceDist, vectorFiles } from "./files.mjs";
import { runVectorSuite } from "../suite/vectors.mjs";
import { nodePair } from "../suite/nodebench.mjs";

const { loadPilotCore, AEAD_KEYS_MAX } = await import(`${dist}pilot-core.mjs`);
const { loadConformance } = await import(`${conformanceDist}pilot-conformance.mjs`);
const wasm = readFileSync(`${dist}pilot-core.wasm`);
const platform = await loadPilotCore(wasm);
const castle = await loadPilotCore(wasm, { aead: false });

/** Deterministic "random" bytes: the same seeds give both cores the same keys, nonces and packets. */
const fixed = (n, salt) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt * 7 + 1) & 0xff);
const hex = (b) => Buffer.from(b).toString("hex");

/** Two nodes with a session's prerequisites, from seeds that depend only on the node ids. */
function pair(core, a, b) {
  let k = a;
  return nodePair(core, (n) => fixed(n, k++), a, b);
}

/** Moves datagrams both ways until quiet (optionally through `tamper`); returns them as hex, in order. */
function pump(core, x, y, wire = [], tamper = (d) => d) {
  for (let any = true; any;) {
    any = false;
    for (const [from, to, ip] of [[x, y, "10.0.0.1"], [y, x, "10.0.0.2"]]) {
      for (let t = core.nodePollTransmit(from.h); t; t = core.nodePollTransmit(from.h)) {
        wire.push(hex(t.datagram));
        core.nodeHandleDatagram(to.h, ip, 4000, tamper(t.datagram), 0);
        any = true;
      }
    }
  }
  return wire;
}

/** Handshake, then datagrams of the sizes around the GCM block and the largest, both ways. */
function script(core, a = 0x100, b = 0x101) {
  const { x, y } = pair(core, a, b);
  const wire = [];
  const got = [];
  core.nodePing(x.h, 0, y.node, 0);
  pump(core, x, y, wire);
  core.nodeListen(y.h, 1001);
  core.nodeListen(x.h, 1001);
  for (const n of [1, 2, 15, 16, 17, 1166]) {
    core.nodeSendDatagram(x.h, 0, y.node, 1001, fixed(n, n), 0);
    core.nodeSendDatagram(y.h, 0, x.node, 1001, fixed(n, n + 1), 0);
    pump(core, x, y, wire);
  }
  for (const h of [x.h, y.h]) {
    for (let e = core.nodePollEvent(h); e; e = core.nodePollEvent(h)) if (e.kind === "DATAGRAM") got.push(hex(e.data ?? []));
  }
  return { x, y, wire, got };
}

function free(core, ...nodes) {
  for (const n of nodes) core.free(n.h);
}

test("Node.js 22 seals with node:crypto by default; { aead: false } keeps Bouncy Castle", () => {
  assert.equal(platform.aead(), "node:crypto");
  assert.equal(castle.aead(), "bouncy-castle");
});

test("the platform AEAD puts exactly Bouncy Castle's bytes on the wire, and opens them", () => {
  const p = script(platform);
  const c = script(castle);
  assert.ok(p.wire.length >= 14, `only ${p.wire.length} datagrams`);
  assert.deepEqual(p.wire, c.wire);
  assert.equal(p.got.length, 12, "every datagram arrived through the platform AEAD");
  assert.deepEqual(p.got.sort(), [1, 2, 15, 16, 17, 1166].flatMap((n) => [hex(fixed(n, n)), hex(fixed(n, n + 1))]).sort());
  free(platform, p.x, p.y);
  free(castle, c.x, c.y);
});

test("a datagram with one bit flipped is refused as AEAD_FAILED by the platform AEAD", () => {
  const { x, y } = pair(platform, 0x200, 0x201);
  platform.nodePing(x.h, 0, y.node, 0);
  pump(platform, x, y);
  platform.nodeListen(y.h, 1001);
  for (let e = platform.nodePollEvent(y.h); e; e = platform.nodePollEvent(y.h));
  platform.nodeSendDatagram(x.h, 0, y.node, 1001, fixed(100, 3), 0);
  pump(platform, x, y, [], (d) => { const t = d.slice(); t[t.length - 20] ^= 1; return t; });
  assert.equal(platform.nodeStats(y.h).dropped.AEAD_FAILED, 1);
  for (let e = platform.nodePollEvent(y.h); e; e = platform.nodePollEvent(y.h)) assert.notEqual(e.kind, "DATAGRAM");
  free(platform, x, y);
});

test(`the key table holds at most AEAD_KEYS_MAX (${AEAD_KEYS_MAX}) keys; an evicted key is imported again on use`, async () => {
  const small = await loadPilotCore(wasm, { aeadKeysMax: 2 });
  const first = script(small, 0x300, 0x301);
  const more = [script(small, 0x302, 0x303), script(small, 0x304, 0x305)];
  assert.equal(small.aeadKeyCount(), 2);
  // the first pair's keys are gone from the table: its next datagrams re-import them and still arrive
  small.nodeSendDatagram(first.x.h, 0, first.y.node, 1001, fixed(50, 9), 0);
  pump(small, first.x, first.y);
  let got = 0;
  for (let e = small.nodePollEvent(first.y.h); e; e = small.nodePollEvent(first.y.h)) if (e.kind === "DATAGRAM") got++;
  assert.equal(got, 1);
  assert.equal(small.aeadKeyCount(), 2);
  assert.equal(small.nodeStats(first.y.h).dropped.AEAD_FAILED, undefined);
  free(small, first.x, first.y, ...more.flatMap((m) => [m.x, m.y]));
});

test("a failing platform falls back to Bouncy Castle with the same bytes", async () => {
  let calls = 0;
  const failing = { ...nodeCrypto, createCipheriv: () => { calls++; throw new Error("no cipher today"); } };
  const broken = await loadPilotCore(wasm, { aead: failing });
  assert.equal(broken.aead(), "node:crypto");
  const b = script(broken);
  const c = script(castle);
  assert.ok(calls > 0, "the platform was asked");
  assert.deepEqual(b.wire, c.wire);
  assert.equal(b.got.length, 12);
  free(broken, b.x, b.y);
  free(castle, c.x, c.y);
});

test("every vector through the platform AEAD (conformance module on node:crypto), and through Bouncy Castle", async () => {
  for (const [aead, want] of [[undefined, "node:crypto"], [false, "bouncy-castle"]]) {
    const conf = await loadConformance(readFileSync(`${conformanceDist}pilot-conformance.wasm`), { aead });
    assert.equal(conf.aead(), want);
    const r = runVectorSuite(conf, vectorFiles());
    assert.deepEqual(r.failures, [], want);
    assert.ok(r.passed >= 300, `only ${r.passed} checks ran (${want})`);
  }
});
