// A CPU profile taken INSIDE workerd (its V8, not Node's): starts the bench Worker (js/worker/index.mjs) in a local
// workerd with its DevTools inspector on 127.0.0.1, runs each path once to warm up, then once under V8's sampling
// profiler (Chrome DevTools Protocol over WebSocket), and prints self and total time per function, per packet.
//   node bench/profile-workerd.mjs [--names] [--core DIR] [--interval US] [--top N] [--n N] [--json FILE]
//                                  [--callers TEXT] [path ...]
// Paths default to the production datagram path with answers that are copies (the node's own work) and with
// WebCrypto answers. --names: profile a copy of this build's module that keeps wasm function names (needs a build
// with -Dwasm.minifying=false, whose target/teavm-out/pilot-core.wasm has a name section; the copy goes through the
// same wasm-opt with -g added). --core DIR: another build's target/pilot-core. Sampling at 50 µs by default; the
// figures are samples × the mean interval, divided by the packets of the path (?n=). --callers TEXT: for each function
// whose name contains TEXT, its self time split by the caller it ran under (where its allocations or copies come from).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { startWorker } from "../test/miniflare.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const flag = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const interval = Number(opt("--interval", 50));
const top = Number(opt("--top", 30));
const n = Number(opt("--n", 20000));
const jsonOut = opt("--json", null);
const callersOf = opt("--callers", null);
let coreDir = opt("--core", null);
const names = flag("--names");
const paths = args.length > 0 ? args
  : [`/datagrams-webcrypto?n=${n}&cipher=none`, `/datagrams-webcrypto?n=${n}`];

const wasmBuild = fileURLToPath(new URL("../../", import.meta.url));
if (names) {
  // a copy of target/pilot-core whose module keeps the name section (wasm-opt drops it unless -g)
  const root = mkdtempSync(`${tmpdir()}/pilot-profile-`);
  const dir = `${root}/pilot-core`;
  mkdirSync(dir);
  for (const f of readdirSync(`${wasmBuild}target/pilot-core`)) {
    if (f !== "pilot-core.wasm") copyFileSync(`${wasmBuild}target/pilot-core/${f}`, `${dir}/${f}`);
  }
  symlinkSync(`${wasmBuild}target/pilot-conformance`, `${root}/pilot-conformance`);
  execFileSync("bash", [`${wasmBuild}scripts/wasm-opt.sh`, `${wasmBuild}target/teavm-out/pilot-core.wasm`, `${dir}/pilot-core.wasm`],
    { env: { ...process.env, WASM_OPT_FLAGS: "-Oz --converge -g", NODE22: process.execPath }, stdio: ["ignore", "inherit", "inherit"] });
  coreDir = dir;
}

const mf = startWorker({ nodejsCompat: true, coreDir, inspectorPort: 0 });
await mf.ready;
const inspector = await mf.getInspectorURL();
const targets = await (await fetch(`http://${inspector.host}/json/list`)).json();
const target = targets.find((t) => t.webSocketDebuggerUrl?.includes("core:user")) ?? targets[0];
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
let seq = 0;
const waiting = new Map();
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id !== undefined && waiting.has(msg.id)) {
    const { resolve, reject } = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error) reject(new Error(`${msg.error.message}`));
    else resolve(msg.result);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++seq;
  waiting.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});
const request = async (path) => (await mf.dispatchFetch(`http://worker${path}`)).text();

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval });
const results = {};
for (const path of paths) {
  await request(path.replace(/n=\d+/, "n=500")); // warm up: compile tiers, key imports
  const packets = Number(new URL(`http://x${path}`).searchParams.get("n") ?? 1);
  await send("Profiler.start");
  const t0 = performance.now();
  const body = await request(path);
  const wall = performance.now() - t0;
  const { profile } = await send("Profiler.stop");
  results[path] = summarise(profile, packets);
  const r = results[path];
  console.log(`\n## ${path}  (${body.slice(0, 40)}; wall ${wall.toFixed(0)} ms, ${r.samples} samples over ${r.ms.toFixed(0)} ms, `
    + `${(r.ms * 1000 / packets).toFixed(2)} µs per packet sampled)`);
  console.log("\n| Self % | Self µs/packet | Total % | Function |\n|---:|---:|---:|---|");
  for (const f of r.functions.slice(0, top)) {
    console.log(`| ${f.selfPct.toFixed(1)} | ${f.selfUs.toFixed(2)} | ${f.totalPct.toFixed(1)} | ${f.name} |`);
  }
  for (const [name, callers] of Object.entries(r.callers)) {
    console.log(`\n${name}, self time by caller:`);
    for (const [c, k] of Object.entries(callers).sort((a, b) => b[1] - a[1]).slice(0, 12)) {
      console.log(`  ${((100 * k) / r.samples).toFixed(1)} %  ${c}`);
    }
  }
}
await send("Profiler.disable");
ws.close();
await mf.dispose();
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));

/** Self and total (inclusive, each function once per sample) time per function name, sorted by self time. */
function summarise(profile, packets) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const key = (node) => {
    const f = node.callFrame;
    const where = f.url.startsWith("wasm://") ? "wasm" : f.url.split("/").pop() || f.url;
    return `${f.functionName || "(anonymous)"} [${where}${f.url.startsWith("wasm://") || !f.url ? "" : `:${f.lineNumber + 1}`}]`;
  };
  const self = new Map();
  const total = new Map();
  const callers = {};
  const samples = profile.samples.length;
  for (const id of profile.samples) {
    const k = key(byId.get(id));
    self.set(k, (self.get(k) ?? 0) + 1);
    if (callersOf !== null && k.includes(callersOf)) {
      const up = parent.get(id);
      const c = up === undefined ? "(root)" : key(byId.get(up));
      callers[k] ??= {};
      callers[k][c] = (callers[k][c] ?? 0) + 1;
    }
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const kk = key(byId.get(at));
      if (!seen.has(kk)) {
        seen.add(kk);
        total.set(kk, (total.get(kk) ?? 0) + 1);
      }
    }
  }
  const ms = (profile.endTime - profile.startTime) / 1000;
  const usPerSample = (ms * 1000) / Math.max(1, samples);
  const functions = [...total.keys()].map((name) => ({
    name,
    selfPct: (100 * (self.get(name) ?? 0)) / samples,
    selfUs: ((self.get(name) ?? 0) * usPerSample) / packets,
    totalPct: (100 * total.get(name)) / samples,
    totalUs: (total.get(name) * usPerSample) / packets,
  })).sort((a, b) => b.selfPct - a.selfPct || b.totalPct - a.totalPct);
  // where inside a --callers function its self time goes: V8's position ticks (for wasm: byte offsets in the module)
  const positions = {};
  for (const node of profile.nodes) {
    const k = key(node);
    if (callersOf !== null && k.includes(callersOf)) {
      for (const t of node.positionTicks ?? []) ((positions[k] ??= {})[t.line] = (positions[k][t.line] ?? 0) + t.ticks);
    }
  }
  return { samples, ms, functions, callers, positions };
}
