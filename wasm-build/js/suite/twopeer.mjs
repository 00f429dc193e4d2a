// Two pilot-core nodes wired back to back on a virtual clock: PILA handshake, control ping, datagram,
// and a stream through the built-in echo service. Pure JavaScript, so it runs in Node.js and in workerd.
export function runTwoPeers(core, random, options = {}) {
  const profile = options.profile ?? "modern";
  const streamBytes = options.streamBytes ?? 65536;
  let now = 1_000_000;
  const mk = (node, ip) => {
    const identitySeed = random(32);
    const h = core.nodeNew({ node, identitySeed, entropy: random(48), profile, echo: true });
    return { h, node, ip, port: 4000, pub: core.ed25519Public(identitySeed), events: [] };
  };
  const a = mk(0x00a30001, "10.0.0.1");
  const b = mk(0x00a30002, "10.0.0.2");
  for (const [x, y] of [[a, b], [b, a]]) {
    core.nodeTrust(x.h, y.node, y.pub);
    core.nodeAddPeer(x.h, y.node, y.ip, y.port, now);
  }
  const byIp = { [a.ip]: a, [b.ip]: b };
  const wire = [];
  let datagrams = 0;
  const pump = () => {
    let moved = true;
    while (moved) {
      moved = false;
      for (const n of [a, b]) {
        for (let t = core.nodePollTransmit(n.h); t; t = core.nodePollTransmit(n.h)) {
          wire.push({ to: byIp[t.ip], from: n, bytes: t.datagram.slice() });
          moved = true;
        }
        for (let e = core.nodePollEvent(n.h); e; e = core.nodePollEvent(n.h)) {
          n.events.push(e);
          moved = true;
        }
      }
      while (wire.length) {
        const f = wire.shift();
        datagrams++;
        core.nodeHandleDatagram(f.to.h, f.from.ip, f.from.port, f.bytes, now);
        moved = true;
      }
    }
  };
  const advance = (ms) => {
    const until = now + ms;
    pump();
    for (;;) {
      const ds = [a, b].map((n) => core.nodeNextDeadline(n.h)).filter((d) => d !== null);
      const next = ds.length ? Math.min(...ds) : Infinity;
      if (next > until) break;
      now = Math.max(now, next);
      for (const n of [a, b]) {
        const d = core.nodeNextDeadline(n.h);
        if (d !== null && d <= now) core.nodeHandleTimeout(n.h, now);
      }
      pump();
    }
    now = until;
  };
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: !!ok, detail });

  const pingId = core.nodePing(a.h, 0, b.node, now);
  advance(100);
  const pong = a.events.find((e) => e.kind === "PONG" && e.stream === pingId);
  check("handshake then pong", pong && pong.peer.node === b.node, JSON.stringify(a.events));
  check("sessions both ways", core.nodeHasSession(a.h, b.node) && core.nodeHasSession(b.h, a.node));

  core.nodeListen(b.h, 1001);
  const msg = new TextEncoder().encode("hello over PILS");
  core.nodeSendDatagram(a.h, 0, b.node, 1001, msg, now);
  advance(50);
  const dg = b.events.find((e) => e.kind === "DATAGRAM");
  check("datagram delivered", dg && new TextDecoder().decode(dg.data) === "hello over PILS" && dg.localPort === 1001);

  const data = new Uint8Array(streamBytes).map((_, i) => (i * 131 + (i >>> 8)) & 0xff); // not random: any size
  const s = core.nodeOpenStream(a.h, 0, b.node, 7, now);
  let written = 0;
  const back = [];
  let got = 0;
  for (let i = 0; i < 10_000 && !(core.nodeAtEof(a.h, s) && written === data.length); i++) {
    if (written < data.length) {
      const n = core.nodeWrite(a.h, s, data.subarray(written, Math.min(data.length, written + 16384)), now);
      if (n > 0) written += n;
      if (written === data.length) core.nodeCloseStream(a.h, s, now);
    }
    const chunk = core.nodeRead(a.h, s, 1 << 20, now);
    if (chunk && chunk.length) { back.push(chunk.slice()); got += chunk.length; }
    advance(5);
  }
  const echoed = new Uint8Array(got);
  let off = 0;
  for (const c of back) { echoed.set(c, off); off += c.length; }
  check("echo stream bytes", got === data.length && echoed.every((v, i) => v === data[i]), `${got} of ${data.length}`);
  advance(20_000);
  const closed = a.events.find((e) => e.kind === "STREAM_CLOSED" && e.stream === s);
  check("clean close", closed && closed.error === null, JSON.stringify(closed));
  const stats = core.nodeStats(a.h);
  core.free(a.h);
  core.free(b.h);
  return { ok: checks.every((c) => c.ok), checks, datagrams, stats };
}
