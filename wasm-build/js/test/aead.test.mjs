// The platform crypto (PlatformSuite / PlatformAead on node:crypto: AES-256-GCM, Ed25519, the X25519 public
// key, HKDF-SHA256, SHA-256) against Bouncy Castle, in Node.js 22: the production module carries no Bouncy
// Castle, so the conformance module (which keeps it) is the reference: every primitive gives the same bytes on
// both, every vector passes on both, and the production module's scripted exchange puts exactly the bytes on
// the wire that the Bouncy Castle module did. Also: the bounded key table, a failing platform, and the clear
// refusal to load without node:crypto (a Worker without nodejs_compat).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as nodeCrypto from "node:crypto";
import { dist, conformanceDist, vectorFiles } from "./files.mjs";
import { runVectorSuite } from "../suite/vectors.mjs";
import { nodePair } from "../suite/nodebench.mjs";

const { loadPilotCore, withFullApi, PLATFORM_KEYS_MAX, VERIFY_KEYS_MAX, PlatformCryptoError } = await import(`${dist}pilot-core.mjs`);
const { loadConformance } = await import(`${conformanceDist}pilot-conformance.mjs`);
const wasm = readFileSync(`${dist}pilot-core.wasm`);
const conformanceWasm = readFileSync(`${conformanceDist}pilot-conformance.wasm`);
const platform = withFullApi(await loadPilotCore(wasm));
const onPlatform = await loadConformance(conformanceWasm);
const castle = await loadConformance(conformanceWasm, { crypto: false });

/** Deterministic "random" bytes: the same seeds give both cores the same keys, nonces and packets. */
const fixed = (n, salt) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + salt * 7 + 1) & 0xff);
const hex = (b) => Buffer.from(b).toString("hex");
const sha = (s) => nodeCrypto.createHash("sha256").update(s).digest("hex");

/**
 * SHA-256 of script()'s wire (every datagram as hex, one per line) as the Bouncy Castle production module
 * put it on the wire (commit 5a13837, `loadPilotCore(wasm, { aead: false })`), before the module lost Bouncy
 * Castle: the handshake's X25519 keys, Ed25519 signatures, HKDF and every AES-GCM seal, byte for byte.
 */
const CASTLE_WIRE_SHA256 = "fddc7f68aad475ec34dc08040ea2cc19389e24a3722d38aa382425175dce3bc5";

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

test("the production module runs on node:crypto; the conformance module on it by default, on Bouncy Castle with { crypto: false }", () => {
  assert.equal(platform.aead(), "node:crypto");
  assert.equal(onPlatform.aead(), "node:crypto");
  assert.equal(castle.aead(), "bouncy-castle");
});

test("without node:crypto (a Worker without nodejs_compat) loadPilotCore refuses at once, naming the flag", async () => {
  const saved = process.getBuiltinModule;
  process.getBuiltinModule = () => undefined;
  try {
    await assert.rejects(loadPilotCore(wasm), (e) => {
      assert.ok(e instanceof PlatformCryptoError);
      assert.equal(e.code, "NODEJS_COMPAT_REQUIRED");
      assert.match(e.message, /"nodejs_compat"/);
      return true;
    });
  } finally {
    process.getBuiltinModule = saved;
  }
  // a node:crypto without what the core needs is refused the same way, naming what is missing
  const partial = { ...nodeCrypto, hkdfSync: undefined, sign: undefined };
  await assert.rejects(loadPilotCore(wasm, { crypto: partial }), { code: "NODEJS_COMPAT_REQUIRED", message: /sign, hkdfSync/ });
});

test("the production module's scripted exchange puts exactly the Bouncy Castle module's bytes on the wire", () => {
  const p = script(platform);
  assert.ok(p.wire.length >= 14, `only ${p.wire.length} datagrams`);
  assert.equal(sha(p.wire.join("\n")), CASTLE_WIRE_SHA256);
  assert.equal(p.got.length, 12, "every datagram arrived");
  assert.deepEqual(p.got.sort(), [1, 2, 15, 16, 17, 1166].flatMap((n) => [hex(fixed(n, n)), hex(fixed(n, n + 1))]).sort());
  free(platform, p.x, p.y);
});

test("every primitive gives Bouncy Castle's bytes on node:crypto, malformed keys and signatures included", () => {
  const both = (f) => {
    const a = f(onPlatform);
    const b = f(castle);
    assert.deepEqual(a, b);
    return a;
  };
  const L = Buffer.from("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", "hex"); // the group order, little-endian
  for (let i = 0; i < 24; i++) {
    const seed = fixed(32, 100 + i);
    const msg = fixed(i * 13, 200 + i);
    const pub = both((c) => hex(c.ed25519Public(seed)));
    const sig = both((c) => hex(c.ed25519Sign(seed, msg)));
    assert.equal(sig.length, 128);
    const s = Buffer.from(sig, "hex");
    const k = Buffer.from(pub, "hex");
    assert.equal(both((c) => c.ed25519Verify(k, msg, s)), true);
    const flipped = Buffer.from(s);
    flipped[i % 64] ^= 1 << (i % 8);
    assert.equal(both((c) => c.ed25519Verify(k, msg, flipped)), false);
    const bigS = Buffer.concat([s.subarray(0, 32), L]); // S = L: non-canonical, refused
    assert.equal(both((c) => c.ed25519Verify(k, msg, bigS)), false);
    const notAPoint = Buffer.from(k);
    notAPoint[0] ^= 0x5a;
    both((c) => c.ed25519Verify(notAPoint, msg, s));
    both((c) => hex(c.x25519Public(fixed(32, 300 + i)) ?? []));
    both((c) => hex(c.x25519Shared(fixed(32, 300 + i), fixed(32, 400 + i)) ?? []));
    both((c) => hex(c.sessionKey("modern", fixed(32, 500 + i)) ?? [])); // HKDF-SHA256
    both((c) => hex(c.sessionKey("feb2026", fixed(32, 500 + i)) ?? [])); // SHA-256
    both((c) => hex(c.sha256(fixed(i * 97, 600 + i))));
  }
  const zero = new Uint8Array(32);
  const one = Uint8Array.of(1, ...new Uint8Array(31));
  for (const weak of [zero, one]) {
    assert.equal(both((c) => c.x25519Shared(fixed(32, 7), weak)), null, "a low-order X25519 key gives no secret");
    assert.equal(both((c) => c.ed25519Verify(weak, fixed(5, 1), new Uint8Array(64))), false);
  }
  for (const [key, sig] of [[new Uint8Array(31), new Uint8Array(64)], [new Uint8Array(32), new Uint8Array(63)]]) {
    assert.equal(both((c) => c.ed25519Verify(key, fixed(5, 1), sig)), false, "wrong lengths verify nothing");
  }
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

test(`the key table holds at most PLATFORM_KEYS_MAX (${PLATFORM_KEYS_MAX}) keys; an evicted key is imported again on use`, async () => {
  const small = withFullApi(await loadPilotCore(wasm, { keysMax: 2 }));
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
  // and a signing key evicted meanwhile signs again: a new handshake between the first pair's nodes
  assert.equal(small.nodeRehandshake(first.x.h, first.y.node, 1), true);
  pump(small, first.x, first.y);
  assert.ok(small.nodeHasSession(first.x.h, first.y.node) && small.nodeHasSession(first.y.h, first.x.node));
  free(small, first.x, first.y, ...more.flatMap((m) => [m.x, m.y]));
});

test(`the verification cache holds at most VERIFY_KEYS_MAX (${VERIFY_KEYS_MAX}) peer keys, and answers right across a reset`, async () => {
  const small = withFullApi(await loadPilotCore(wasm, { verifyKeysMax: 2 }));
  const msg = fixed(40, 1);
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5; i++) {
      const seed = fixed(32, 700 + i);
      const pub = small.ed25519Public(seed);
      const sig = small.ed25519Sign(seed, msg);
      assert.equal(small.ed25519Verify(pub, msg, sig), true);
      assert.equal(small.ed25519Verify(small.ed25519Public(fixed(32, 800 + i)), msg, sig), false, "another key");
      assert.ok(small.verifyKeyCount() <= 2, `${small.verifyKeyCount()} keys cached`);
    }
  }
});

test("a failing platform cipher loses packets visibly (AEAD_FAILED at the peer), never as wrong bytes or an exception", async () => {
  let calls = 0;
  let failing = false;
  const flaky = { ...nodeCrypto, createCipheriv: (...a) => { if (failing) { calls++; throw new Error("no cipher today"); } return nodeCrypto.createCipheriv(...a); } };
  const core = withFullApi(await loadPilotCore(wasm, { crypto: flaky }));
  const { x, y } = pair(core, 0x400, 0x401);
  core.nodePing(x.h, 0, y.node, 0);
  pump(core, x, y);
  assert.ok(core.nodeHasSession(x.h, y.node));
  core.nodeListen(y.h, 1001);
  for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h));
  failing = true;
  core.nodeSendDatagram(x.h, 0, y.node, 1001, fixed(100, 3), 0);
  pump(core, x, y);
  assert.ok(calls > 0, "the platform was asked");
  assert.equal(core.nodeStats(y.h).dropped.AEAD_FAILED, 1);
  for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h)) assert.notEqual(e.kind, "DATAGRAM");
  free(core, x, y);
});

test("every vector through the platform crypto (conformance module on node:crypto), and through Bouncy Castle", () => {
  for (const [conf, want] of [[onPlatform, "node:crypto"], [castle, "bouncy-castle"]]) {
    assert.equal(conf.aead(), want);
    const r = runVectorSuite(conf, vectorFiles());
    assert.deepEqual(r.failures, [], want);
    assert.ok(r.passed >= 300, `only ${r.passed} checks ran (${want})`);
  }
});
