// A test Worker that loads pilot-core.wasm the way production Workers do (precompiled module import,
// lazily at request time) and runs the shared suites inside workerd: the production module for the node,
// the conformance module (never shipped) for the vectors and the simulation.
import wasm from "../../target/pilot-core/pilot-core.wasm";
import conformanceWasm from "../../target/pilot-conformance/pilot-conformance.wasm";
import { loadPilotCore, webCryptoRunner, withFullApi } from "../../target/pilot-core/pilot-core.mjs";
import { loadConformance } from "../../target/pilot-conformance/pilot-conformance.mjs";
import { runVectorSuite } from "../suite/vectors.mjs";
import { runTwoPeers } from "../suite/twopeer.mjs";
import { copyingRunner, datagramsOnce, datagramsWebCrypto, handshakeOnce, webCryptoPairs } from "../suite/nodebench.mjs";

let corePromise = null;
let confPromise = null;
const random = (n) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
};

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? 1000);
    if (url.pathname === "/noop") return new Response("ok");
    if (url.pathname === "/instantiate") {
      // a fresh instance every time: what a cold isolate pays (?n= instances in one request, so the request's
      // fixed cost and the timer's noise divide by n)
      for (let i = 0; i < (url.searchParams.has("n") ? n : 1); i++) await loadPilotCore(wasm);
      return new Response("ok");
    }
    if (url.pathname === "/conformance-aead") {
      confPromise ??= loadConformance(conformanceWasm);
      return Response.json({ conformance: (await confPromise).aead() });
    }
    if (url.pathname === "/vectors" || url.pathname === "/sim") {
      confPromise ??= loadConformance(conformanceWasm);
      const conf = await confPromise;
      if (url.pathname === "/vectors") return Response.json(runVectorSuite(conf, await request.json()));
      return Response.json(conf.simRun(url.searchParams.get("seed"), Number(url.searchParams.get("bytes"))));
    }
    corePromise ??= loadPilotCore(wasm).then(withFullApi);
    let core;
    try {
      core = await corePromise;
    } catch (e) {
      // without nodejs_compat: loadPilotCore's typed refusal, shown as it is
      return Response.json({ error: e.name, code: e.code, message: e.message }, { status: 503 });
    }
    switch (url.pathname) {
      case "/aead":
        confPromise ??= loadConformance(conformanceWasm);
        return Response.json({ core: core.aead(), conformance: (await confPromise).aead() });
      case "/nodecrypto": {
        // node:crypto's AES-GCM alone, the same 1,200-byte seal + open (only with nodejs_compat)
        const nc = globalThis.process?.getBuiltinModule?.("node:crypto");
        const key = nc.createSecretKey(random(32));
        const pt = random(1200);
        const aad = new Uint8Array([0, 0, 0, 1]);
        const iv = new Uint8Array(12);
        for (let i = 1; i <= n; i++) {
          new DataView(iv.buffer).setUint32(8, i);
          const c = nc.createCipheriv("aes-256-gcm", key, iv);
          c.setAAD(aad);
          const ct = c.update(pt);
          c.final();
          const d = nc.createDecipheriv("aes-256-gcm", key, iv);
          d.setAAD(aad);
          d.setAuthTag(c.getAuthTag());
          d.update(ct);
          d.final();
        }
        return new Response("ok");
      }
      case "/twopeer":
        return Response.json(runTwoPeers(core, random, { profile: url.searchParams.get("profile") ?? "modern",
          streamBytes: Number(url.searchParams.get("bytes") ?? 65536) }));
      case "/handshakes":
        // n complete PILA exchanges (both sides) between fresh nodes, through the node API
        for (let i = 0; i < n; i++) handshakeOnce(core, random);
        return new Response("ok");
      case "/pair":
        // the fixed cost of /datagrams: two nodes and their handshake, no datagrams
        return Response.json({ got: datagramsOnce(core, random, 0) });
      case "/datagrams-webcrypto":
        // the production path with the AEAD as an effect: seals and opens answered by crypto.subtle, `batch` at a time
        // (?cipher=none: the answers are copies, no cipher: the node's own work alone)
        return Response.json({ got: await datagramsWebCrypto(core, random,
          url.searchParams.get("cipher") === "none" ? copyingRunner(core) : webCryptoRunner(core), n,
          Number(url.searchParams.get("batch") ?? 32), Number(url.searchParams.get("size") ?? 1166)) });
      case "/datagrams":
        // the production path: n datagrams of 1,166 bytes (1,200-byte packets) sealed by one node, opened by the other
        return Response.json({ got: datagramsOnce(core, random, n) });
      case "/webcrypto":
        // the native ceiling: the same 1,200-byte seal + open with workerd's own AES-GCM
        await webCryptoPairs(random, n);
        return new Response("ok");
      case "/webcrypto-batched": {
        // WebCrypto alone, `batch` seals in one Promise.all, then their opens in one (what the node's batches do)
        const key = await crypto.subtle.importKey("raw", random(32), "AES-GCM", false, ["encrypt", "decrypt"]);
        const pt = random(1200);
        const aad = new Uint8Array([0, 0, 0, 1]);
        const batch = Number(url.searchParams.get("batch") ?? 32);
        for (let i = 1; i <= n; i += batch) {
          const ivs = [];
          for (let k = i; k < Math.min(n + 1, i + batch); k++) {
            const iv = new Uint8Array(12);
            new DataView(iv.buffer).setUint32(8, k);
            ivs.push(iv);
          }
          const cts = await Promise.all(ivs.map((iv) => crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, pt)));
          await Promise.all(ivs.map((iv, j) => crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, cts[j])));
        }
        return new Response("ok");
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
