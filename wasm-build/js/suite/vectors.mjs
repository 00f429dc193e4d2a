// Every language-neutral vector, run against a loaded pilot-core. Pure JavaScript (no Node APIs), so the
// same checks run in Node.js and inside workerd. Returns { passed, failed, failures }.
const hex = (u) => Array.from(u ?? [], (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((b) => parseInt(b, 16)));

export function runVectorSuite(core, files) {
  let passed = 0;
  const failures = [];
  const check = (name, cond, detail) => {
    if (cond) passed++;
    else failures.push(`${name}: ${typeof detail === "function" ? detail() : detail ?? "mismatch"}`);
  };
  const eq = (name, got, want) => check(name, got === want, () => `got ${got} want ${want}`);

  // ---- reference: header.json (spec B)
  for (const v of files.reference.header.vectors) {
    const f = v.fields;
    const fields = {
      flags: f.flags, protocol: f.protocol, src: f.src_addr_text, dst: f.dst_addr_text, src_port: f.src_port,
      dst_port: f.dst_port, seq: f.seq, ack: f.ack, window: f.window, payload: unhex(f.payload_hex),
    };
    const wire = core.packetEncode(fields);
    eq(`header ${v.name} encode`, hex(wire), v.wire_hex);
    const d = core.packetDecode(unhex(v.wire_hex));
    check(`header ${v.name} decode`, d.ok && d.fields.src === f.src_addr_text && d.fields.dst === f.dst_addr_text
      && d.fields.seq === f.seq && d.fields.ack === f.ack && d.fields.window === f.window
      && d.fields.payload_hex === f.payload_hex && d.fields.flags === f.flags, () => JSON.stringify(d));
    const pilt = core.frameDecode(unhex(v.pilt_frame_hex));
    check(`header ${v.name} PILT`, pilt.ok && pilt.kind === "PLAIN" && pilt.packet.payload_hex === f.payload_hex);
    const bad = unhex(v.wire_hex);
    bad[bad.length - 1] ^= 0x5a;
    check(`header ${v.name} corrupt`, !core.packetDecode(bad).ok);
  }

  // ---- reference: kdf.json (spec D.5, D.6)
  const k = files.reference.kdf;
  eq("kdf a public", hex(core.x25519Public(unhex(k.a_x25519_private_hex))), k.a_x25519_public_hex);
  eq("kdf b public", hex(core.x25519Public(unhex(k.b_x25519_private_hex))), k.b_x25519_public_hex);
  const shared = core.x25519Shared(unhex(k.a_x25519_private_hex), unhex(k.b_x25519_public_hex));
  eq("kdf shared", hex(shared), k.shared_secret_hex);
  eq("kdf shared (b side)", hex(core.x25519Shared(unhex(k.b_x25519_private_hex), unhex(k.a_x25519_public_hex))), k.shared_secret_hex);
  eq("kdf modern key", hex(core.sessionKey("modern", shared)), k.modern_session_key_hex);
  eq("kdf legacy key", hex(core.sessionKey("feb2026", shared)), k.legacy_session_key_hex);

  // ---- reference: pils.json (spec E)
  for (const v of files.reference.pils.vectors) {
    const profile = v.mode === "modern" ? "modern" : "feb2026";
    const frame = core.seal(profile, unhex(v.key_hex), unhex(v.nonce_prefix_hex), v.counter, v.sender_node_id, unhex(v.plaintext_hex));
    eq(`pils ${v.name} seal`, hex(frame), v.frame_hex);
    const opened = core.open(profile, unhex(v.key_hex), unhex(v.frame_hex));
    const innerSrc = core.packetDecode(unhex(v.plaintext_hex)).fields.src;
    const innerNode = core.addressParse(innerSrc).node;
    if (innerNode === v.sender_node_id) {
      check(`pils ${v.name} open`, opened.ok && opened.packet_hex === v.plaintext_hex, () => JSON.stringify(opened));
    } else {
      eq(`pils ${v.name} open (inner source check)`, opened.error, "SPOOFED_SOURCE");
    }
    eq(`pils ${v.name} other profile`, core.open(profile === "modern" ? "feb2026" : "modern", unhex(v.key_hex), unhex(v.frame_hex)).error, "AEAD_FAILED");
  }

  // ---- reference: keyexchange.json (spec C, D)
  const x = files.reference.keyexchange;
  eq("kx ed25519 public", hex(core.ed25519Public(unhex(x.ed25519_seed_hex))), x.ed25519_public_hex);
  eq("kx signature", hex(core.ed25519Sign(unhex(x.ed25519_seed_hex), unhex(x.challenge_hex))), x.signature_hex);
  const pila = core.frameDecode(unhex(x.pila_frame_hex));
  check("kx PILA decode", pila.ok && pila.kind === "AUTH_KEY" && pila.sender === x.node_id && pila.x25519_hex === x.x25519_public_hex);
  check("kx PILA verifies", core.ed25519Verify(unhex(x.ed25519_public_hex), unhex(x.challenge_hex), unhex(x.signature_hex)));
  const trailer = core.frameDecode(unhex(x.pila_fork_trailer_frame_hex));
  check("kx PILA trailer", trailer.ok && trailer.trailer_caps === 1 && trailer.trailer_flags === 1);
  const pilk = core.frameDecode(unhex(x.pilk_frame_hex));
  check("kx PILK decode", pilk.ok && pilk.kind === "ANON_KEY" && pilk.sender === x.node_id);

  // ---- replay windows: reference and generated (modern-fixed order, spec F.4)
  const verdict = (code) => ({ 0: "accept", [-8]: "replay", [-9]: "too_old" }[code] ?? `code ${code}`);
  const replayCases = [...files.reference.replay.cases, ...files.generated.replay.cases];
  for (const c of replayCases) {
    const w = core.replayNew();
    const got = c.counters.map((ctr, i) => {
      const v = core.replayCheck(w, ctr);
      if (v !== 0) return verdict(v);
      if (!c.aead_ok[i]) return "aead_fail";
      core.replayCommit(w, ctr);
      return "accept";
    });
    core.free(w);
    eq(`replay ${c.name}`, JSON.stringify(got), JSON.stringify(c.expect_modern));
  }

  // ---- generated: addresses, packets, frames
  for (const v of files.generated.addresses.vectors) {
    const r = core.addressParse(v.text);
    check(`address ${JSON.stringify(v.text)}`, r.ok === v.ok && r.error === v.error && (r.ok ? r.canonical === v.canonical && r.node === v.node : true),
      () => JSON.stringify(r));
  }
  for (const v of files.generated.packets.vectors) {
    const f = v.fields;
    eq(`packet ${v.name} encode`, hex(core.packetEncode({ ...f, payload: unhex(f.payload_hex) })), v.wire_hex);
    eq(`packet ${v.name} decode`, JSON.stringify(core.packetDecode(unhex(v.wire_hex)).fields), JSON.stringify(f));
  }
  for (const v of files.generated.packets.corrupt) {
    eq(`packet ${v.name}`, core.packetDecode(unhex(v.wire_hex)).error, v.error);
  }
  for (const v of files.generated.frames.vectors) {
    const r = core.frameDecode(unhex(v.hex));
    const { hex: _ignored, ...want } = v;
    eq(`frame ${v.hex.slice(0, 16)}…`, JSON.stringify(r), JSON.stringify(want));
  }

  // ---- generated: envelope seal/open
  for (const [i, v] of files.generated.envelope.seal.entries()) {
    const frame = core.seal(v.profile, unhex(v.key_hex), unhex(v.nonce_prefix_hex), v.counter, v.sender, unhex(v.plaintext_hex));
    eq(`envelope seal ${i}`, hex(frame), v.frame_hex);
  }
  for (const v of files.generated.envelope.open) {
    const r = core.open(v.profile, unhex(v.key_hex), unhex(v.frame_hex));
    check(`envelope open ${v.name}`, r.ok === v.ok && r.error === v.error && (r.ok ? r.packet_hex === v.packet_hex : true),
      () => JSON.stringify(r));
  }

  // ---- generated: seeded handshake transcripts, byte for byte
  for (const t of files.generated.handshake.transcripts) {
    const peers = {};
    for (const name of ["a", "b"]) {
      const p = t[name];
      peers[name] = core.kxNew(p.node, unhex(p.ed25519_seed_hex), p.entropy_seed, t.profile);
    }
    for (const name of ["a", "b"]) {
      for (const other of ["a", "b"]) core.kxTrust(peers[name], t[other].node, unhex(t[other].ed25519_public_hex));
    }
    const peerOf = (name) => t[name === "a" ? "b" : "a"].node;
    for (const [i, s] of t.steps.entries()) {
      const h = peers[s.peer];
      let out;
      if (s.op === "start_handshake") out = hex(core.kxStart(h, peerOf(s.peer), 0));
      else if (s.op === "on_pila") {
        const r = core.kxOnAuth(h, unhex(s.in_hex), "127.0.0.1", 0);
        eq(`transcript ${t.name} step ${i} error`, r.error, s.error);
        eq(`transcript ${t.name} step ${i} installed`, r.installed, s.installed);
        out = r.reply_hex;
      } else if (s.op === "seal") out = hex(core.kxSeal(h, peerOf(s.peer), unhex(s.in_hex)));
      eq(`transcript ${t.name} step ${i} ${s.op}`, out ?? null, s.out_hex);
    }
    core.free(peers.a);
    core.free(peers.b);
  }

  return { passed, failed: failures.length, failures };
}
