// Benchmarks of pilot-core.wasm (run with Node 22: scripts/bench-wasm.sh). Prints a markdown table.
// workerd freezes clocks while a request computes, so workerd figures are timed from outside:
// (wall time of a request doing N operations - wall time of an empty request) / N.
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { webcrypto } from "node:crypto";
import { dist } from "../test/files.mjs";
import { startWorker } from "../test/miniflare.mjs";

const { loadPilotCore } = await import(`${dist}pilot-core.mjs`);
const { load } = await import(`${dist}teavm-runtime.js`);
const bytes = readFileSync(`${dist}pilot-core.wasm`);
const rows = [];
const row = (what, value, note = "") => rows.push(`| ${what} | ${value} | ${note} |`);
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

row("pilot-core.wasm size", `${bytes.length.toLocaleString("en")} B raw, ${gzipSync(bytes, { level: 9 }).length.toLocaleString("en")} B gzip -9`);

// ---- Node 22
const module = await WebAssembly.compile(bytes);
const inst = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  await load(module);
  inst.push(performance.now() - t);
}
row("instantiate (Node 22, precompiled module)", `${median(inst).toFixed(2)} ms median`, "30 runs");
const core = await loadPilotCore(bytes);
const key = webcrypto.getRandomValues(new Uint8Array(32));
const packet = core.packetEncode({ flags: 2, protocol: 1, src: "0:0000.0000.0001", dst: "0:0000.0000.0002", src_port: 1,
  dst_port: 2, seq: 3, ack: 4, window: 5, payload: webcrypto.getRandomValues(new Uint8Array(1200 - 34)) });
// steady state: one established session, as a node uses it
const pair = () => {
  const sa = webcrypto.getRandomValues(new Uint8Array(32));
  const sb = webcrypto.getRandomValues(new Uint8Array(32));
  const a = core.kxNew(1, sa, "11", "modern");
  const b = core.kxNew(2, sb, "22", "modern");
  for (const h of [a, b]) { core.kxTrust(h, 1, core.ed25519Public(sa)); core.kxTrust(h, 2, core.ed25519Public(sb)); }
  const r1 = core.kxOnAuth(b, core.kxStart(a, 2, 0), "a", 0);
  core.kxOnAuth(a, Uint8Array.from(r1.reply_hex.match(/../g), (x) => parseInt(x, 16)), "b", 0);
  return { a, b };
};
const { a: sa, b: sb } = pair();
const sealOpen = (n) => {
  for (let i = 1; i <= n; i++) {
    const frame = core.kxSeal(sa, 2, packet);
    if (!core.kxOpen(sb, frame, 0).ok) throw new Error("open failed");
  }
};
sealOpen(2000);
let t = performance.now();
const N = 20000;
sealOpen(N);
let s = (performance.now() - t) / 1000;
row("seal + open 1,200-byte packet (Node 22)", `${Math.round(N / s).toLocaleString("en")} /s`, "established session, through the JS wrapper");

// a node-level figure: handshake both sides
const seed = () => webcrypto.getRandomValues(new Uint8Array(32));
const hs = (i) => {
  const sa = seed();
  const sb = seed();
  const a = core.kxNew(1, sa, String(i), "modern");
  const b = core.kxNew(2, sb, String(i + 1e6), "modern");
  for (const h of [a, b]) { core.kxTrust(h, 1, core.ed25519Public(sa)); core.kxTrust(h, 2, core.ed25519Public(sb)); }
  const r1 = core.kxOnAuth(b, core.kxStart(a, 2, 0), "a", 0);
  core.kxOnAuth(a, Uint8Array.from(r1.reply_hex.match(/../g), (x) => parseInt(x, 16)), "b", 0);
  core.free(a);
  core.free(b);
};
for (let i = 0; i < 20; i++) hs(i);
t = performance.now();
for (let i = 0; i < 100; i++) hs(i);
row("full PILA handshake, both sides (Node 22)", `${((performance.now() - t) / 100).toFixed(2)} ms`, "incl. identity key setup");

// ---- workerd
const mf = startWorker();
await mf.ready;
const wall = async (path, reps = 7) => {
  const xs = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const r = await mf.dispatchFetch(`http://worker${path}`);
    await r.arrayBuffer();
    xs.push(performance.now() - t0);
  }
  return median(xs);
};
await wall("/sealopen?n=200", 3);
await wall("/handshakes?n=5", 3);
const noop = await wall("/noop", 15);
const instW = (await wall("/instantiate", 15)) - noop;
row("instantiate (workerd)", `${instW.toFixed(2)} ms`, "fresh instance per request, minus an empty request");
const hsN = 40;
const hsW = ((await wall(`/handshakes?n=${hsN}`)) - noop) / hsN;
row("full PILA handshake, both sides (workerd)", `${hsW.toFixed(2)} ms CPU`, `${hsN} per request, minus an empty request`);
const soN = 4000;
const soW = ((await wall(`/sealopen?n=${soN}`)) - noop) / 1000;
row("seal + open 1,200-byte packet (workerd)", `${Math.round(soN / soW).toLocaleString("en")} /s`, `${soN} per request`);
const wcN = 4000;
const wcW = ((await wall(`/webcrypto?n=${wcN}`)) - noop) / 1000;
row("seal + open 1,200-byte packet, workerd WebCrypto (native ceiling)", `${Math.round(wcN / wcW).toLocaleString("en")} /s`, `${wcN} per request, crypto.subtle AES-GCM`);
await mf.dispose();

console.log(`| Figure | Value | How |\n|---|---|---|\n${rows.join("\n")}`);
