// A test Worker that loads pilot-core.wasm the way production Workers do (precompiled module import,
// lazily at request time) and runs the shared suites inside workerd.
import wasm from "../../target/pilot-core/pilot-core.wasm";
import simWasm from "../../target/pilot-sim/pilot-sim.wasm";
import { loadPilotCore } from "../../target/pilot-core/pilot-core.mjs";
import { load } from "../../target/pilot-core/teavm-runtime.js";
import { runVectorSuite } from "../suite/vectors.mjs";
import { runTwoPeers } from "../suite/twopeer.mjs";

let corePromise = null;
const random = (n) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/noop") return new Response("ok");
    if (url.pathname === "/instantiate") {
      // a fresh instance every time: what a cold isolate pays
      await loadPilotCore(wasm);
      return new Response("ok");
    }
    corePromise ??= loadPilotCore(wasm);
    const core = await corePromise;
    switch (url.pathname) {
      case "/vectors":
        return Response.json(runVectorSuite(core, await request.json()));
      case "/twopeer":
        return Response.json(runTwoPeers(core, random, { profile: url.searchParams.get("profile") ?? "modern",
          streamBytes: Number(url.searchParams.get("bytes") ?? 65536) }));
      case "/sim": {
        const teavm = await load(simWasm);
        return new Response(teavm.exports.simRun(url.searchParams.get("seed"), Number(url.searchParams.get("bytes"))),
          { headers: { "content-type": "application/json" } });
      }
      case "/handshakes": {
        // n complete PILA exchanges (both sides) with fresh identities
        const n = Number(url.searchParams.get("n") ?? 10);
        for (let i = 0; i < n; i++) handshakeOnce(core, i);
        return new Response("ok");
      }
      case "/sealopen": {
        // steady state: one established session, as a node uses it
        const n = Number(url.searchParams.get("n") ?? 1000);
        const { a, b } = sessionPair(core);
        const packet = core.packetEncode({ flags: 2, protocol: 1, src: "0:0000.0000.0001", dst: "0:0000.0000.0002",
          src_port: 1, dst_port: 2, seq: 3, ack: 4, window: 5, payload: random(1200 - 34) });
        let ok = 0;
        for (let i = 1; i <= n; i++) {
          if (core.kxOpen(b, core.kxSeal(a, 2, packet), 0).ok) ok++;
        }
        core.free(a);
        core.free(b);
        return Response.json({ ok });
      }
      case "/webcrypto": {
        // the native ceiling: the same 1,200-byte seal + open with workerd's own AES-GCM
        const n = Number(url.searchParams.get("n") ?? 1000);
        const key = await crypto.subtle.importKey("raw", random(32), "AES-GCM", false, ["encrypt", "decrypt"]);
        const pt = random(1200 - 34);
        const aad = new Uint8Array([0, 0, 0, 1]);
        const iv = new Uint8Array(12);
        for (let i = 1; i <= n; i++) {
          new DataView(iv.buffer).setUint32(8, i);
          const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, pt);
          await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, ct);
        }
        return new Response("ok");
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};

function sessionPair(core, i = 0) {
  const seedA = random(32);
  const seedB = random(32);
  const a = core.kxNew(1, seedA, String(i * 2 + 1), "modern");
  const b = core.kxNew(2, seedB, String(i * 2 + 2), "modern");
  for (const h of [a, b]) {
    core.kxTrust(h, 1, core.ed25519Public(seedA));
    core.kxTrust(h, 2, core.ed25519Public(seedB));
  }
  const unhex = (h) => new Uint8Array(h.match(/../g).map((x) => parseInt(x, 16)));
  const r1 = core.kxOnAuth(b, core.kxStart(a, 2, 0), "a", 0);
  const r2 = core.kxOnAuth(a, unhex(r1.reply_hex), "b", 0);
  if (!r1.installed || !r2.installed) throw new Error("handshake failed");
  return { a, b };
}

function handshakeOnce(core, i) {
  const { a, b } = sessionPair(core, i);
  core.free(a);
  core.free(b);
}
