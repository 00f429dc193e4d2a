// The seal + open figures of aead-workerd.mjs timed by CPU rather than by wall clock: workerd's own CPU seconds
// (utime + stime of its process, /proc/PID/stat, Linux only) around each request. On a shared machine the wall time
// of a request includes whatever else ran meanwhile (the load average here is often above the core count); the CPU
// time the isolate's process used does not. Each figure: k requests with n packets minus k requests with none, from
// the same workerd, so fixed costs (two nodes and their handshake, the request) cancel. Alternating rounds; with
// --baseline DIR (another build's target/pilot-core) a second workerd runs that build, measured right after this one.
//   node bench/aead-workerd-cpu.mjs [rounds] [--baseline DIR] [--n N] [--k K]
import { readFileSync } from "node:fs";
import { cpuSeconds as cpu, workerdChildren as workerds } from "./workerd-cpu.mjs";
import { startWorker } from "../test/miniflare.mjs";

const argv = process.argv.slice(2);
const take = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : argv.splice(i, 2)[1];
};
const baselineDir = take("--baseline", null);
const n = Number(take("--n", 20000));
const k = Number(take("--k", 3));
const rounds = Number(argv[0] ?? 7);

const start = async (coreDir) => {
  const before = workerds();
  const w = startWorker({ nodejsCompat: true, coreDir });
  await w.ready;
  const pids = [...workerds()].filter((p) => !before.has(p));
  if (pids.length === 0) throw new Error("cannot find the workerd process");
  return { w, pids };
};
/** CPU seconds of k requests of `path`. */
const cpuOf = async ({ w, pids }, path) => {
  const c0 = cpu(pids);
  for (let i = 0; i < k; i++) await (await w.dispatchFetch(`http://worker${path}`)).arrayBuffer();
  return cpu(pids) - c0;
};
const FIGURES = {
  "node API, WebCrypto answers, batch 32": [`/datagrams-webcrypto?n=${n}`, "/datagrams-webcrypto?n=0"],
  "node's own work (answers without a cipher), batch 32": [`/datagrams-webcrypto?n=${n}&cipher=none`, "/datagrams-webcrypto?n=0"],
  "WebCrypto alone": [`/webcrypto?n=${n}`, "/noop"],
};
/** Seal + open per CPU second for each figure. */
const measure = async (inst) => {
  const out = {};
  for (const [name, [full, empty]] of Object.entries(FIGURES)) {
    const t = (await cpuOf(inst, full)) - (await cpuOf(inst, empty));
    out[name] = (n * k) / t;
  }
  return out;
};

const builds = [["this build", await start(null)]];
if (baselineDir !== null) builds.push(["baseline", await start(baselineDir)]);
for (const [, inst] of builds) for (const [full] of Object.values(FIGURES)) await cpuOf(inst, full.replace(/n=\d+/, "n=500")); // warm up
const rates = {};
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? builds : [...builds].reverse(); // alternate which build goes first
  for (const [label, inst] of order) {
    const m = await measure(inst);
    for (const name in m) ((rates[label] ??= {})[name] ??= []).push(m[name]);
    console.log(`round ${r + 1} ${label}: ${Object.entries(m).map(([f, v]) => `${f} ${Math.round(v)}/s`).join(", ")}`);
  }
}
for (const [, inst] of builds) await inst.w.dispose();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`\n${rounds} rounds, ${k} × ${n} packets per figure, workerd CPU seconds from /proc; load average now ${load}`);
console.log(`| Figure (workerd, 1,200-byte seal + open, per CPU second) | ${builds.map(([l]) => `${l} /s | / WebCrypto`).join(" | ")} |`);
console.log(`|---|${builds.map(() => "---|---").join("|")}|`);
for (const name of Object.keys(FIGURES)) {
  console.log(`| ${name} | ${builds.map(([l]) => {
    // each round's figure over the same round's WebCrypto, then the median of those ratios
    const ratios = rates[l][name].map((v, i) => v / rates[l]["WebCrypto alone"][i]);
    return `${Math.round(median(rates[l][name])).toLocaleString("en")} | ${median(ratios).toFixed(2)}`;
  }).join(" | ")} |`);
}
if (baselineDir !== null) {
  console.log("\n| Figure | this build / baseline (median of the rounds' ratios) |\n|---|---|");
  for (const name of Object.keys(FIGURES)) {
    const ratios = rates["this build"][name].map((v, i) => v / rates.baseline[name][i]);
    console.log(`| ${name} | ${median(ratios).toFixed(2)} |`);
  }
}
