// Summarizes a V8 CPU profile of the Worker (demo.mjs --bench --cpu-profile FILE, best with --no-minify): the
// share of samples by where the time went (the wasm core with its crossings, WebCrypto, the shim's JavaScript,
// native builtins such as stream reads and WebSocket sends, GC, idle), then the functions with the most self time.
//   node worker-shim/scripts/profile-summary.mjs FILE [TOP]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: profile-summary.mjs FILE.cpuprofile [TOP]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

/** Where a sampled frame belongs; wasm frames have no names (TeaVM's module carries none), so they count as one. */
function category(f) {
  if (f.functionName === "(idle)") return "idle";
  if (f.functionName === "(garbage collector)") return "GC";
  if (f.functionName === "(program)") return "(program): the runtime outside JavaScript";
  if (f.functionName.startsWith("wasm-function") || f.functionName.startsWith("js-to-wasm") || f.functionName === "wasm-to-js") {
    return "wasm core, with its crossings";
  }
  if (["encrypt", "decrypt", "importKey"].includes(f.functionName) && !f.url) return "WebCrypto (native)";
  if (f.url.endsWith(".js") || f.url.endsWith(".mjs") || f.url.endsWith(".ts")) return "JavaScript: the shim and the core's wrapper";
  return "native builtins: stream read/write, WebSocket send, timers";
}

const byCategory = new Map();
const byFunction = new Map();
for (const [id, n] of hits) {
  const f = byId.get(id).callFrame;
  const c = category(f);
  byCategory.set(c, (byCategory.get(c) ?? 0) + n);
  const name = `${f.functionName || "(anonymous)"} ${f.url ? `${f.url.split("/").pop()}:${f.lineNumber + 1}` : ""}`.trim();
  byFunction.set(name, (byFunction.get(name) ?? 0) + n);
}
const total = profile.samples.length;
const busy = total - (byCategory.get("idle") ?? 0);
const pct = (n, of) => `${((100 * n) / of).toFixed(1).padStart(5)} %`;
console.log(`${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s, ${busy} busy`);
console.log("\n| where | of all samples | of busy ones |\n|---|---|---|");
for (const [c, n] of [...byCategory].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${c} | ${pct(n, total)} | ${c === "idle" ? "" : pct(n, busy)} |`);
}
console.log(`\nself time, top ${Number(topArg ?? 25)}:`);
for (const [name, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
  console.log(`${String(n).padStart(6)} ${pct(n, total)}  ${name}`);
}
