// In Node.js 22: the conformance module replays every vector byte for byte; the production module
// (what a Worker ships) runs two peers back to back, parses every address vector, and has nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { dist, conformanceDist, vectorFiles } from "./files.mjs";
import { runVectorSuite } from "../suite/vectors.mjs";
import { runTwoPeers } from "../suite/twopeer.mjs";

const { loadPilotCore, withFullApi, ErrorCodes } = await import(`${dist}pilot-core.mjs`);
const { loadConformance } = await import(`${conformanceDist}pilot-conformance.mjs`);
const core = withFullApi(await loadPilotCore(readFileSync(`${dist}pilot-core.wasm`)));
const conf = await loadConformance(readFileSync(`${conformanceDist}pilot-conformance.wasm`));
const random = (n) => webcrypto.getRandomValues(new Uint8Array(n));

test("every reference and generated vector gives the JVM's bytes (conformance module)", () => {
  const r = runVectorSuite(conf, vectorFiles());
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

test("the production module exports the node and nothing of the conformance suite", () => {
  for (const name of ["addressParse", "ed25519Public", "ed25519Sign", "ed25519Verify", "nodeAddPeer", "nodeHandleDatagram", "nodeNew",
    "nodeOp", "nodePollEvents", "nodePollTransmits", "nodeRead", "nodeSendDatagram", "nodeSessions", "nodeStats", "nodeTrust", "nodeWrite",
    "nodeIo"]) assert.equal(typeof core.raw[name], "function", name);
  for (const name of ["version", "errorName", "packetEncode", "packetDecode", "frameDecode", "x25519Public", "x25519Shared",
    "sessionKey", "sha256", "seal", "open", "replayNew", "replayCheck", "kxNew", "kxOnAuth", "kxSeal",
    "kxOpen", "simRun", "nodePollTransmit", "nodePollEvent", "nodeAddress", "nodeListen", "free"]) {
    assert.equal(core.raw[name], undefined, `${name} must not ship to Workers`);
  }
  assert.equal(typeof conf.raw.kxOpen, "function");
});

test("production ed25519Verify accepts our own signature and refuses a changed message, key or signature", () => {
  const seed = new Uint8Array(32).fill(7);
  const key = core.ed25519Public(seed);
  const msg = new TextEncoder().encode("pilot_relay_dial:00112233445566778899aabbccddeeff:key");
  const sig = core.ed25519Sign(seed, msg);
  assert.equal(core.ed25519Verify(key, msg, sig), true);
  assert.equal(core.ed25519Verify(key, msg.slice(1), sig), false);
  assert.equal(core.ed25519Verify(core.ed25519Public(new Uint8Array(32).fill(8)), msg, sig), false);
  assert.equal(core.ed25519Verify(key, msg, sig.map((b, i) => (i === 0 ? b ^ 1 : b))), false);
  assert.equal(core.ed25519Verify(key.slice(1), msg, sig), false, "short key");
  assert.equal(core.ed25519Verify(key, msg, sig.slice(1)), false, "short signature");
});

test("snapshot vectors: the production module restores the JVM's snapshot and snapshots the same bytes; damaged ones give their errors", () => {
  const v = vectorFiles().generated.snapshot;
  const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((b) => parseInt(b, 16)));
  const hex = (u) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
  const fresh = (profile) => core.nodeNew({ node: v.node, network: v.network, identitySeed: unhex(v.identity_seed_hex), entropy: random(48), profile });
  const h = fresh(v.profile);
  assert.equal(core.nodeRestore(h, unhex(v.snapshot_hex), v.now), v.sessions);
  assert.equal(hex(core.nodeSnapshot(h, v.now)), v.snapshot_hex, "snapshot of the restore is the snapshot");
  assert.equal(core.nodeSnapshotDue(h), 0);
  assert.equal(core.nodeRestore(h, unhex(v.snapshot_hex), v.now), -20, "INVALID_STATE: only into a node without peers");
  core.free(h);
  for (const c of v.cases) {
    const k = fresh(c.profile);
    const r = core.nodeRestore(k, unhex(c.snapshot_hex), v.now);
    assert.equal(r, c.ok ? c.sessions : -c.error_code, `${c.name}: ${r < 0 ? ErrorCodes[-r] : r}`);
    core.free(k);
  }
  assert.equal(core.liveHandles(), 0);
});

test("production addressParse gives every address vector's result (binary across the boundary)", () => {
  for (const v of vectorFiles().generated.addresses.vectors) {
    const r = core.addressParse(v.text);
    const want = v.ok ? { ok: true, error: null, error_code: null, network: v.network, node: v.node, canonical: v.canonical }
      : { ok: false, error: v.error, error_code: v.error_code };
    assert.deepEqual(r, want, JSON.stringify(v.text));
  }
});

test("one error table: the JavaScript names are the core's ErrorCode names", () => {
  let code = 1;
  for (; conf.errorName(code) !== "UNKNOWN"; code++) assert.equal(ErrorCodes[code], conf.errorName(code), `code ${code}`);
  assert.equal(Object.keys(ErrorCodes).length, code - 1, "no extra codes in the JavaScript table");
});

test("polls come in batches of at most POLL_BATCH_BYTES (64 KiB) plus one record, in order", () => {
  const mk = (node) => {
    const seed = random(32);
    return { h: core.nodeNew({ node, identitySeed: seed, entropy: random(48) }), node, pub: core.ed25519Public(seed) };
  };
  const a = mk(0x10);
  const b = mk(0x11);
  for (const [x, y, ip] of [[a, b, "10.0.0.2"], [b, a, "10.0.0.1"]]) {
    core.nodeTrust(x.h, y.node, y.pub);
    assert.equal(core.nodeAddPeer(x.h, y.node, ip, 4000, 0), 0);
  }
  const pump = () => {
    for (let moved = true; moved;) {
      moved = false;
      for (const [x, y, from] of [[a, b, "10.0.0.1"], [b, a, "10.0.0.2"]]) {
        for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) {
          assert.equal(core.nodeHandleDatagram(y.h, from, 4000, t.datagram, 0), 0);
          moved = true;
        }
      }
    }
  };
  core.nodePing(a.h, 0, b.node, 0);
  pump();
  assert.ok(core.nodeHasSession(a.h, b.node));
  assert.equal(core.nodeListen(b.h, 1001), 0);
  const n = 100;
  for (let i = 0; i < n; i++) assert.ok(core.nodeSendDatagram(a.h, 0, b.node, 1001, new Uint8Array(1000).fill(i), 0) > 0);
  const first = core.raw.nodePollTransmits(a.h); // the raw batch's length, below the wrapper
  assert.ok(first >= 65536 && first < 65536 + 1200, `first batch ${first} bytes`);
  let rest = 0;
  for (let t = core.raw.nodePollTransmits(a.h); t >= 0; t = core.raw.nodePollTransmits(a.h)) rest += t;
  assert.ok(rest > 0, "the rest came in a second batch");
  // through the wrapper, in order
  for (let i = 0; i < n; i++) core.nodeSendDatagram(a.h, 0, b.node, 1001, new Uint8Array(1000).fill(i), 0);
  pump();
  const got = [];
  for (let e = core.nodePollEvent(b.h); e; e = core.nodePollEvent(b.h)) if (e.kind === "DATAGRAM") got.push(e.data[0]);
  assert.deepEqual(got, Array.from({ length: n }, (_, i) => i));
  core.free(a.h);
  core.free(b.h);
});

test("streamMss: a node sends stream segments of the size it was made with (1024..4096), the default 1024", () => {
  const seed = random(32);
  for (const bad of [1023, 4097, -1]) {
    assert.equal(core.nodeNew({ node: 1, identitySeed: seed, entropy: random(32), streamMss: bad }), -19, `streamMss ${bad}`);
  }
  const largestSegment = (streamMss) => {
    const mk = (node) => {
      const s = random(32);
      return { h: core.nodeNew({ node, identitySeed: s, entropy: random(48), streamMss }), node, pub: core.ed25519Public(s) };
    };
    const a = mk(0x30);
    const b = mk(0x31);
    for (const [x, y, ip] of [[a, b, "10.0.0.2"], [b, a, "10.0.0.1"]]) {
      core.nodeTrust(x.h, y.node, y.pub);
      core.nodeAddPeer(x.h, y.node, ip, 4000, 0);
    }
    assert.equal(core.nodeListen(b.h, 1001), 0);
    const s = core.nodeOpenStream(a.h, 0, b.node, 1001, 0);
    assert.ok(s > 0);
    let largest = 0;
    let wrote = false;
    for (let round = 0; round < 50; round++) {
      for (const [x, y, from] of [[a, b, "10.0.0.1"], [b, a, "10.0.0.2"]]) {
        for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) {
          if (x === a) largest = Math.max(largest, t.datagram.length);
          core.nodeHandleDatagram(y.h, from, 4000, t.datagram, round);
        }
        for (let e = core.nodePollEvent(x.h); e; e = core.nodePollEvent(x.h)) { /* drained */ }
      }
      if (!wrote && core.nodeWrite(a.h, s, new Uint8Array(16384), round) > 0) wrote = true;
    }
    assert.ok(wrote, "the stream opened and took data");
    core.free(a.h);
    core.free(b.h);
    return largest;
  };
  const big = largestSegment(4096);
  const small = largestSegment(undefined);
  assert.ok(big > 4096 && big < 4096 + 128, `largest datagram with streamMss 4096: ${big}`);
  assert.ok(small > 1024 && small < 1024 + 128, `largest datagram by default: ${small}`);
});

test("nodeSetStreamMss: streams opened after it send the new size, one opened before keeps its own (1024..4096, 0: 1024)", () => {
  const mk = (node, streamMss) => {
    const s = random(32);
    return { h: core.nodeNew({ node, identitySeed: s, entropy: random(48), streamMss }), node, pub: core.ed25519Public(s) };
  };
  const a = mk(0x32, 4096); // logged in at a relay on loopback
  const b = mk(0x33);
  for (const [x, y, ip] of [[a, b, "10.0.0.2"], [b, a, "10.0.0.1"]]) {
    core.nodeTrust(x.h, y.node, y.pub);
    core.nodeAddPeer(x.h, y.node, ip, 4000, 0);
  }
  assert.equal(core.nodeListen(b.h, 1001), 0);
  let now = 0;
  let largest = 0;
  const exchange = (rounds) => {
    for (let i = 0; i < rounds; i++, now++) {
      for (const [x, y, from] of [[a, b, "10.0.0.1"], [b, a, "10.0.0.2"]]) {
        for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) {
          if (x === a) largest = Math.max(largest, t.datagram.length);
          core.nodeHandleDatagram(y.h, from, 4000, t.datagram, now);
        }
        for (let e = core.nodePollEvent(x.h); e; e = core.nodePollEvent(x.h)) { /* drained */ }
      }
    }
  };
  /** The largest datagram a sent while 16 KiB went out on stream s. */
  const largestFor = (s) => {
    largest = 0;
    assert.equal(core.nodeWrite(a.h, s, new Uint8Array(16384), now), 16384);
    exchange(20);
    return largest;
  };
  const before = core.nodeOpenStream(a.h, 0, b.node, 1001, now);
  exchange(10);
  for (const bad of [1023, 4097, -1]) assert.equal(core.nodeSetStreamMss(a.h, bad), -19, `streamMss ${bad}`);
  assert.equal(core.nodeSetStreamMss(a.h, 1024), 0); // failed over to a relay on a network
  const after = core.nodeOpenStream(a.h, 0, b.node, 1001, now);
  exchange(10);
  assert.ok(before > 0 && after > 0);
  const kept = largestFor(before);
  const cut = largestFor(after);
  assert.ok(kept > 4096 && kept < 4096 + 128, `largest datagram of the stream opened before: ${kept}`);
  assert.ok(cut > 1024 && cut < 1024 + 128, `largest datagram of the stream opened after: ${cut}`);
  assert.equal(core.nodeSetStreamMss(a.h, 4096), 0);
  const back = core.nodeOpenStream(a.h, 0, b.node, 1001, now);
  exchange(10);
  assert.ok(largestFor(back) > 4096, "and back to 4096");
  assert.equal(core.nodeSetStreamMss(a.h), 0, "no size: the default");
  const byDefault = core.nodeOpenStream(a.h, 0, b.node, 1001, now);
  exchange(10);
  assert.ok(largestFor(byDefault) < 1024 + 128);
  core.free(a.h);
  core.free(b.h);
  assert.equal(core.nodeSetStreamMss(a.h, 1024), -19, "a freed handle");
});

test("nodeCoalesceAcks: eight segments handled in one input get one ACK after the due timers run, four without", () => {
  const acksFor = (coalesce) => {
    const mk = (node) => {
      const s = random(32);
      return { h: core.nodeNew({ node, identitySeed: s, entropy: random(48), streamMss: 4096 }), node, pub: core.ed25519Public(s) };
    };
    const a = mk(0x40);
    const b = mk(0x41);
    if (coalesce) assert.equal(core.nodeCoalesceAcks(b.h), 0);
    for (const [x, y, ip] of [[a, b, "10.0.0.2"], [b, a, "10.0.0.1"]]) {
      core.nodeTrust(x.h, y.node, y.pub);
      core.nodeAddPeer(x.h, y.node, ip, 4000, 0);
    }
    assert.equal(core.nodeListen(b.h, 1001), 0);
    const s = core.nodeOpenStream(a.h, 0, b.node, 1001, 0);
    const exchange = (now) => {
      for (const [x, y, from] of [[a, b, "10.0.0.1"], [b, a, "10.0.0.2"]]) {
        for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) core.nodeHandleDatagram(y.h, from, 4000, t.datagram, now);
        for (let e = core.nodePollEvent(x.h); e; e = core.nodePollEvent(x.h)) { /* drained */ }
      }
    };
    for (let round = 0; round < 10; round++) exchange(round); // handshake and stream set-up
    const now = 100;
    assert.equal(core.nodeWrite(a.h, s, new Uint8Array(8 * 4096), now), 8 * 4096);
    let segments = 0;
    for (let t = core.nodePollTransmit(a.h); t; t = core.nodePollTransmit(a.h)) {
      segments++;
      core.nodeHandleDatagram(b.h, "10.0.0.1", 4000, t.datagram, now); // one input: all of them back to back
    }
    assert.equal(segments, 8);
    const polled = () => { let n = 0; for (let t = core.nodePollTransmit(b.h); t; t = core.nodePollTransmit(b.h)) n++; return n; };
    const during = polled();
    const d = core.nodeNextDeadline(b.h);
    if (d !== null && d <= now) core.nodeHandleTimeout(b.h, now); // what the owner does after each input
    const after = polled();
    core.free(a.h);
    core.free(b.h);
    return { during, after };
  };
  assert.deepEqual(acksFor(false), { during: 4, after: 0 }, "spec G.4: one ACK per two segments, each at once");
  assert.deepEqual(acksFor(true), { during: 0, after: 1 }, "coalesced: one ACK, due at once, after the input");
});

test("the core's resolver: PEER_NEEDED asks lookup then resolve; the answers add the peer; unasked answers change nothing", () => {
  const mk = (node) => {
    const seed = random(32);
    return { h: core.nodeNew({ node, identitySeed: seed, entropy: random(48) }), node, pub: core.ed25519Public(seed) };
  };
  const a = mk(0x20);
  const b = mk(0x21);
  core.nodeTrust(b.h, a.node, a.pub);
  core.nodeAddPeer(b.h, a.node, "10.0.0.1", 4000, 0);
  assert.equal(core.resolverPoll(a.h), null);
  assert.equal(core.resolverResolved(a.h, b.node, "10.0.0.2", 4000, 0), 0, "an answer nobody asked for");
  assert.equal(core.resolverPoll(a.h), null);
  core.nodePing(a.h, 0, b.node, 0); // b is unknown to a: PEER_NEEDED
  const needed = [];
  for (let e = core.nodePollEvent(a.h); e; e = core.nodePollEvent(a.h)) if (e.kind === "PEER_NEEDED") needed.push(e.peer.node);
  assert.deepEqual(needed, [b.node]);
  core.resolverNeeded(a.h, b.node, false, 0);
  core.resolverNeeded(a.h, b.node, false, 0); // one look-up per id
  assert.deepEqual(core.resolverPoll(a.h), { kind: "lookup", node: b.node });
  assert.equal(core.resolverPoll(a.h), null);
  core.resolverLookedUp(a.h, b.node, b.pub, 1);
  assert.deepEqual(core.resolverPoll(a.h), { kind: "resolve", node: b.node });
  core.resolverResolved(a.h, b.node, "10.0.0.2", 4000, 2);
  for (let moved = true; moved;) {
    moved = false;
    for (const [x, y, from] of [[a, b, "10.0.0.1"], [b, a, "10.0.0.2"]]) {
      for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) {
        core.nodeHandleDatagram(y.h, from, 4000, t.datagram, 3);
        moved = true;
      }
      for (let e = core.nodePollEvent(x.h); e; e = core.nodePollEvent(x.h)) { /* drained: PEER_UP reaches the resolver */ }
    }
  }
  assert.ok(core.nodeHasSession(a.h, b.node), "the resolved peer got a session with the looked-up key");
  // an id the registry does not know fails at once for a while, without another registry call
  core.resolverNeeded(a.h, 0x99, false, 10);
  assert.deepEqual(core.resolverPoll(a.h), { kind: "lookup", node: 0x99 });
  core.resolverFailed(a.h, 0x99, true, 10);
  core.resolverNeeded(a.h, 0x99, false, 11);
  assert.equal(core.resolverPoll(a.h), null);
  assert.equal(core.resolverPoll(12345), null, "an unknown handle");
  core.free(a.h);
  core.free(b.h);
});

test("the core's resolver: a node woken with more restored peers than look-ups in flight resolves every one", () => {
  // a snapshot (docs/SPEC-NOTES.md #37) of 200 sessions; their keys are arbitrary, nothing is sealed here
  const us = 0x30, peers = 200, entry = 4 + 1 + 1 + 1 + 4 + 2 + 32 + 32 + 32 + 4 + 8 + 8 + 8;
  const snap = new Uint8Array(12 + peers * entry);
  const dv = new DataView(snap.buffer);
  snap.set([0x50, 0x49, 0x53, 0x4e, 1]); // "PISN", version 1
  dv.setUint32(5, us);
  dv.setUint16(10, peers); // profile 0: modern
  const ed25519 = (peer) => new Uint8Array(32).fill(peer & 0xff);
  for (let i = 0, at = 12; i < peers; i++, at += entry) {
    dv.setUint32(at, 0x1000 + i);
    snap.set([1, 0, 4, 10, 0, 0, 1], at + 4); // confirmed, modern, IPv4 10.0.0.1
    dv.setUint16(at + 11, 4000 + i);
    snap.set(ed25519(0x1000 + i), at + 13);
    snap.fill(i + 1, at + 45, at + 113); // peer X25519, session key, nonce prefix
    dv.setBigUint64(at + 113, 4096n);
    dv.setBigUint64(at + 121, 10n);
    dv.setBigUint64(at + 129, 1000n);
  }
  const h = core.nodeNew({ node: us, identitySeed: random(32), entropy: random(48) });
  assert.equal(core.nodeRestore(h, snap, 5000), peers);
  let unreachable = 0, most = 0, resolved = 0;
  const outstanding = [];
  for (let now = 5001; ; now++) {
    for (let e = core.nodePollEvent(h); e; e = core.nodePollEvent(h)) {
      if (e.kind === "PEER_NEEDED") core.resolverNeeded(h, e.peer.node, false, now);
      if (e.kind === "PEER_UNREACHABLE") unreachable++;
    }
    for (let q = core.resolverPoll(h); q; q = core.resolverPoll(h)) outstanding.push(q);
    most = Math.max(most, outstanding.length);
    const q = outstanding.shift();
    if (!q) break;
    if (q.kind === "lookup") core.resolverLookedUp(h, q.node, ed25519(q.node), now);
    else { core.resolverResolved(h, q.node, "10.0.0.1", 4000 + q.node - 0x1000, now); resolved++; } // where it was
  }
  assert.equal(unreachable, 0, "no restored peer fails for the resolver's own bound");
  assert.equal(resolved, peers, "every restored peer resolved");
  assert.equal(most, 64, "registry calls outstanding: PeerResolver.MAX_IN_FLIGHT, never more");
  for (let i = 0; i < peers; i++) assert.ok(core.nodeHasSession(h, 0x1000 + i), "confirmed at its endpoint: kept");
  assert.equal(core.nodePollTransmit(h), null, "and no frame");
  // a peer named at another endpoint than its restored session's moved while we were gone: a fresh PILA goes there
  assert.equal(core.nodeAddPeer(h, 0x1000, "10.0.0.2", 5000, 6000), 0);
  const t = core.nodePollTransmit(h);
  assert.deepEqual([t.ip, t.port, new TextDecoder().decode(t.datagram.subarray(0, 4))], ["10.0.0.2", 5000, "PILA"]);
  assert.equal(core.nodeHasSession(h, 0x1000), false, "its traffic waits for the new session");
  core.free(h);
});

test("bad input yields negative error codes, never exceptions", () => {
  assert.equal(core.addressParse("nonsense").error, "BAD_ADDRESS");
  assert.equal(core.nodeNew({ node: 1, identitySeed: new Uint8Array(3), entropy: new Uint8Array(32) }), -19);
  assert.equal(core.nodeNew({ node: 1, identitySeed: new Uint8Array(32), entropy: new Uint8Array(32), profile: "nope" }), -19);
  assert.equal(core.nodeWrite(12345, 1, new Uint8Array(1), 0), -19);
  assert.equal(core.nodeListen(12345, 7), -19);
  assert.equal(core.raw.nodeOp(99, 1, 0, 0, 0, 0, 0, 0), -19, "an unknown op");
  assert.equal(core.nodeAtEof(12345, 1), true);
  assert.equal(core.nodeNextDeadline(12345), null);
  assert.equal(core.nodeTrust(12345, 1, new Uint8Array(32)), -19);
  const h = core.nodeNew({ node: 1, identitySeed: random(32), entropy: random(32) });
  assert.ok(h > 0);
  assert.equal(core.nodeAddPeer(h, 2, "300.0.0.1", 1, 0), -19);
  assert.equal(core.nodeAddPeer(h, 2, "1.2.3.4", 0, 0), -19);
  assert.equal(core.nodeHandleDatagram(h, "not an ip", 1, new Uint8Array(10), 0), -19);
  assert.equal(core.raw.nodeHandleDatagram(h, core.ioPut(new Uint8Array([4, 1, 2])), 0), -19);
  assert.equal(core.raw.nodeHandleDatagram(h, core.ioPut(new Uint8Array([5, 1, 2, 3, 4, 5, 0, 1])), 0), -19);
  core.ioPut(new Uint8Array([4, 10, 0, 0, 1, 0x0f, 0xa0]));
  assert.equal(core.raw.nodeHandleDatagram(h, 1 << 30, 0), -19, "a length beyond the region");
  assert.equal(core.raw.nodeHandleDatagram(h, -5, 0), -19);
  assert.equal(core.raw.nodeAddPeer(h, 2, -1, 0), -19);
  assert.equal(core.raw.nodeWrite(h, 1, 1 << 30, 0), -19);
  assert.equal(core.raw.nodeSendDatagram(h, 0, 2, 7, -1, 0), -19);
  assert.equal(core.raw.nodeIo(-1), -1);
  assert.equal(core.nodeWrite(h, 1, "not bytes", 0), -19);
  assert.equal(core.ed25519Public(new Uint8Array(31)), null);
  for (let i = 0; i < 300; i++) { // from 300 different addresses: more than the IP caches keep
    const junk = random(4 + (i % 150));
    if (i % 3 === 0) junk.set([0x50, 0x49, 0x4c, [0x53, 0x41, 0x4b, 0x54][i % 4]]);
    assert.equal(core.nodeHandleDatagram(h, `10.${i >> 8}.${i & 255}.1`, 4000, junk, 0), 0);
  }
  assert.ok(core.ipCacheSize() <= 256, "parsed IP texts stay bounded");
  assert.equal(core.nodeStats(h).packets_in >= 0, true);
  core.free(h);
  assert.equal(core.nodeStats(h), null);
  assert.equal(conf.replayCheck(99999, "1"), -19);
  assert.equal(conf.frameDecode(new Uint8Array(0)).error, "TRUNCATED");
  assert.equal(conf.open("nope", new Uint8Array(3), new Uint8Array(1)).error, "INVALID_ARGUMENT");
  assert.equal(conf.seal("modern", new Uint8Array(31), new Uint8Array(4), "1", 1, new Uint8Array(34)), null);
  assert.equal(conf.simRun("x", 1).error, "INVALID_ARGUMENT");
});
