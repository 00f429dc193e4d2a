// Production-path operations for benchmarks, shared by Node.js and workerd (pure JavaScript): two nodes
// with a session, and datagrams through the node API (seal in one node, open in the other), exactly the
// calls a Worker makes per packet; and full handshakes between fresh nodes through the node API.
export function nodePair(core, random, a = 0x100, b = 0x101) {
  const mk = (node) => {
    const seed = random(32);
    return { h: core.nodeNew({ node, identitySeed: seed, entropy: random(48), echo: false }), node, pub: core.ed25519Public(seed) };
  };
  const x = mk(a);
  const y = mk(b);
  core.nodeTrust(x.h, y.node, y.pub);
  core.nodeTrust(y.h, x.node, x.pub);
  core.nodeAddPeer(x.h, y.node, "10.0.0.2", 4000, 0);
  core.nodeAddPeer(y.h, x.node, "10.0.0.1", 4000, 0);
  return { x, y };
}

/** Moves every queued datagram between the two until both are quiet; returns the number moved. */
export function pump(core, x, y) {
  let moved = 0;
  for (let any = true; any;) {
    any = false;
    for (const [from, to, ip] of [[x, y, "10.0.0.1"], [y, x, "10.0.0.2"]]) {
      for (let t = core.nodePollTransmit(from.h); t; t = core.nodePollTransmit(from.h)) {
        core.nodeHandleDatagram(to.h, ip, 4000, t.datagram, 0);
        moved++;
        any = true;
      }
    }
  }
  return moved;
}

/** A full PILA handshake between two fresh nodes (both sides), through the node API. */
export function handshakeOnce(core, random) {
  const { x, y } = nodePair(core, random);
  core.nodePing(x.h, 0, y.node, 0);
  pump(core, x, y);
  const ok = core.nodeHasSession(x.h, y.node) && core.nodeHasSession(y.h, x.node);
  core.free(x.h);
  core.free(y.h);
  if (!ok) throw new Error("handshake failed");
}

/**
 * n datagrams of `size` payload bytes from x to y: per datagram one seal (x) and one open (y), through
 * nodeSendDatagram -> nodePollTransmit -> nodeHandleDatagram -> nodePollEvent. Returns the count received.
 */
export function datagramsOnce(core, random, n, size = 1200 - 34) {
  const { x, y } = nodePair(core, random);
  core.nodePing(x.h, 0, y.node, 0);
  pump(core, x, y);
  core.nodeListen(y.h, 1001);
  for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h));
  const payload = random(size);
  let got = 0;
  for (let i = 0; i < n; i++) {
    core.nodeSendDatagram(x.h, 0, y.node, 1001, payload, 0);
    for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) core.nodeHandleDatagram(y.h, "10.0.0.1", 4000, t.datagram, 0);
    for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h)) if (e.kind === "DATAGRAM") got++;
  }
  core.free(x.h);
  core.free(y.h);
  return got;
}

/**
 * The same n datagrams with both nodes' AEAD as an effect, answered by WebCrypto through `runner`
 * (pilot-core.mjs webCryptoRunner): the sender is given `batch` datagrams at a time, its seals are answered in
 * one batch, the frames go to the receiver, whose opens are answered in one batch. Returns the count received.
 */
export async function datagramsWebCrypto(core, random, runner, n, batch = 32, size = 1200 - 34) {
  const { x, y } = nodePair(core, random);
  // as PilotPeer does: the checksums with the AEAD where the runtime has node:zlib's crc32
  core.nodeDeferAead(x.h, { checksum: true });
  core.nodeDeferAead(y.h, { checksum: true });
  const now = () => 0;
  const answer = async (node) => { while ((await runner.step(node.h, now)) > 0); };
  core.nodePing(x.h, 0, y.node, 0);
  for (let moved = 1; moved > 0;) {
    await answer(x);
    await answer(y);
    moved = pump(core, x, y);
  }
  core.nodeListen(y.h, 1001);
  for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h));
  const payload = random(size);
  let got = 0;
  for (let i = 0; i < n; i += batch) {
    for (let k = i; k < Math.min(n, i + batch); k++) core.nodeSendDatagram(x.h, 0, y.node, 1001, payload, 0);
    await answer(x);
    for (let t = core.nodePollTransmit(x.h); t; t = core.nodePollTransmit(x.h)) core.nodeHandleDatagram(y.h, "10.0.0.1", 4000, t.datagram, 0);
    await answer(y);
    for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h)) if (e.kind === "DATAGRAM") got++;
  }
  core.free(x.h);
  core.free(y.h);
  runner.forget(x.h);
  runner.forget(y.h);
  return got;
}

/**
 * A stand-in for webCryptoRunner with no cipher: a "seal" appends 16 zero bytes, an "open" removes them, so
 * two nodes that both use it still talk; what is left of the time is the node's own work per packet.
 */
export function copyingRunner(core) {
  return {
    forget: () => {},
    step: async (h, now) => {
      const batch = core.nodePollCrypto(h);
      if (batch === null) return 0;
      const ids = [];
      const outs = [];
      const checked = [];
      for (const r of batch) {
        if (r.data === null) {
          ids.push(r.id); // a seal whose payload the wrapper lost: answered as failed, as webCryptoRunner does
          outs.push(null);
          checked.push(false);
        } else if (r.kind === 3 || r.kind === 5) {
          if (r.kind === 5) core.checksum.fill(r.data); // what webCryptoRunner does before it seals
          const o = new Uint8Array(r.data.length + 16);
          o.set(r.data);
          ids.push(r.id);
          outs.push(o);
          checked.push(false);
        } else if (r.kind === 4 || r.kind === 6) {
          ids.push(r.id);
          const o = r.data.slice(0, r.data.length - 16);
          outs.push(o);
          checked.push(r.kind === 6 && core.checksum.matches(o));
        }
      }
      if (ids.length === 0) return 1;
      core.nodeCryptoDone(h, ids, outs, now(), checked);
      return ids.length;
    },
  };
}

/**
 * The reference the production path is measured against: n seal + open pairs of a 1,200-byte packet with workerd's
 * own AES-GCM (`crypto.subtle`), one after the other, as a Worker without pilot-core would call it.
 */
export async function webCryptoPairs(random, n) {
  const key = await crypto.subtle.importKey("raw", random(32), "AES-GCM", false, ["encrypt", "decrypt"]);
  const pt = random(1200);
  const aad = new Uint8Array([0, 0, 0, 1]);
  const iv = new Uint8Array(12);
  for (let i = 1; i <= n; i++) {
    new DataView(iv.buffer).setUint32(8, i);
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, pt);
    await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, ct);
  }
}
