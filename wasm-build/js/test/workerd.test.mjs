// Inside a real local workerd: the conformance module replays the vectors byte for byte and the
// simulation; the production pilot-core.wasm runs two peers and the benchmark paths.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { root, vectorFiles } from "./files.mjs";
import { startWorker } from "./miniflare.mjs";

let mf;
let compat;
before(async () => {
  mf = startWorker();
  compat = startWorker({ nodejsCompat: true });
  await Promise.all([mf.ready, compat.ready]);
});
after(async () => {
  await mf?.dispose();
  await compat?.dispose();
});

test("workerd without nodejs_compat: pilot-core refuses to load with a typed error naming the flag; the conformance module keeps Bouncy Castle", async () => {
  const res = await mf.dispatchFetch("http://worker/aead");
  assert.equal(res.status, 503);
  const e = await res.json();
  assert.equal(e.error, "PlatformCryptoError");
  assert.equal(e.code, "NODEJS_COMPAT_REQUIRED");
  assert.match(e.message, /"nodejs_compat"/);
  assert.equal((await mf.dispatchFetch("http://worker/datagrams?n=5")).status, 503, "every request shows it, not only the first");
  assert.deepEqual(await (await mf.dispatchFetch("http://worker/conformance-aead")).json(), { conformance: "bouncy-castle" });
  assert.deepEqual(await (await compat.dispatchFetch("http://worker/aead")).json(), { core: "node:crypto", conformance: "node:crypto" });
});

test("workerd with nodejs_compat: every vector through the platform crypto, and two peers on it", async () => {
  const res = await compat.dispatchFetch("http://worker/vectors", { method: "POST", body: JSON.stringify(vectorFiles()) });
  const r = await res.json();
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= 300);
  const p = await (await compat.dispatchFetch("http://worker/twopeer?profile=modern&bytes=100000")).json();
  assert.ok(p.ok, JSON.stringify(p.checks));
  assert.deepEqual(await (await compat.dispatchFetch("http://worker/datagrams?n=50")).json(), { got: 50 });
});

test("workerd: every vector gives the JVM's bytes on Bouncy Castle (conformance module, no nodejs_compat)", async () => {
  const res = await mf.dispatchFetch("http://worker/vectors", { method: "POST", body: JSON.stringify(vectorFiles()) });
  assert.equal(res.status, 200);
  const r = await res.json();
  console.log(`workerd: ${r.passed} vector checks passed`);
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= 300);
});

for (const profile of ["modern", "feb2026"]) {
  test(`workerd: two peers handshake and exchange sealed traffic (${profile})`, async () => {
    const res = await compat.dispatchFetch(`http://worker/twopeer?profile=${profile}&bytes=100000`);
    const r = await res.json();
    assert.ok(r.ok, JSON.stringify(r.checks));
  });
}

test("workerd: the benchmark paths run (node-API datagrams and handshakes)", async () => {
  assert.deepEqual(await (await compat.dispatchFetch("http://worker/datagrams?n=50")).json(), { got: 50 });
  // the AEAD as an effect, answered by workerd's crypto.subtle, in batches of 32 and of 1
  assert.deepEqual(await (await compat.dispatchFetch("http://worker/datagrams-webcrypto?n=50")).json(), { got: 50 });
  assert.deepEqual(await (await compat.dispatchFetch("http://worker/datagrams-webcrypto?n=5&batch=1")).json(), { got: 5 });
  assert.equal(await (await compat.dispatchFetch("http://worker/handshakes?n=2")).text(), "ok");
});

test("workerd: simulation trace hashes match the JVM", async () => {
  const expected = JSON.parse(readFileSync(`${root}test-vectors/generated/sim-traces.json`, "utf8"));
  for (const run of expected.runs.slice(0, 3)) {
    const r = await (await mf.dispatchFetch(`http://worker/sim?seed=${run.seed}&bytes=${run.bytes_per_stream}`)).json();
    assert.deepEqual({ ok: r.ok, trace: r.trace }, { ok: true, trace: run.trace }, `seed ${run.seed}`);
  }
});
