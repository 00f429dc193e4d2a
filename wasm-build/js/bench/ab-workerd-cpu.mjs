// Two builds of pilot-core.wasm in ONE workerd isolate, timed by that process's CPU seconds (/proc, Linux only):
// the Worker's production seal + open (the node API with WebCrypto answers, batches of 32), the node's own work
// (answers without a cipher) and WebCrypto alone, each figure alternating between build A and build B request by
// request. One isolate means one heap, one JIT and one process for both builds, so what differs between two workerd
// processes (their placement, their heaps) does not enter the ratio; aead-workerd-cpu.mjs runs one workerd per build.
//   node bench/ab-workerd-cpu.mjs A_DIR B_DIR [rounds] [--n N] [--k K]      (DIR: a build's target/pilot-core)
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { cpuSeconds, workerdChildren } from "./workerd-cpu.mjs";

const argv = process.argv.slice(2);
const take = (name, dflt) => {
  const i = argv.indexOf(name);
  return i < 0 ? dflt : argv.splice(i, 2)[1];
};
const n = Number(take("--n", 20000));
const k = Number(take("--k", 3));
const [dirA, dirB, roundsArg] = argv;
if (!dirA || !dirB) throw new Error("usage: ab-workerd-cpu.mjs A_DIR B_DIR [rounds] [--n N] [--k K]");
const rounds = Number(roundsArg ?? 15);
const suite = fileURLToPath(new URL("../suite/nodebench.mjs", import.meta.url));

const root = mkdtempSync(`${tmpdir()}/pilot-ab-`);
for (const [name, dir] of [["a", dirA], ["b", dirB]]) symlinkSync(resolve(dir), `${root}/${name}`);
symlinkSync(suite, `${root}/nodebench.mjs`);
writeFileSync(`${root}/ab.mjs`, `
import wasmA from "./a/pilot-core.wasm";
import wasmB from "./b/pilot-core.wasm";
import * as A from "./a/pilot-core.mjs";
import * as B from "./b/pilot-core.mjs";
import { copyingRunner, datagramsWebCrypto, webCryptoPairs } from "./nodebench.mjs";
const random = (n) => { const o = new Uint8Array(n); for (let i = 0; i < n; i += 65536) crypto.getRandomValues(o.subarray(i, Math.min(n, i + 65536))); return o; };
// a build from before withFullApi carries the whole API in loadPilotCore's object
const full = (M, wasm) => M.loadPilotCore(wasm).then((c) => (M.withFullApi ? M.withFullApi(c) : c));
const cores = { a: [A, full(A, wasmA)], b: [B, full(B, wasmB)] };
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n"));
    if (url.pathname === "/webcrypto") {
      await webCryptoPairs(random, n);
      return new Response("ok");
    }
    const [mod, ready] = cores[url.searchParams.get("build")];
    const core = await ready;
    const runner = url.searchParams.get("cipher") === "none" ? copyingRunner(core) : mod.webCryptoRunner(core);
    const got = await datagramsWebCrypto(core, random, runner, n, 32);
    if (got !== n) return new Response("lost " + (n - got), { status: 500 }); // a build that drops packets is not faster
    return new Response("ok");
  },
};`);

const mf = new Miniflare({
  compatibilityDate: "2025-06-01",
  compatibilityFlags: ["nodejs_compat"],
  cf: false,
  modulesRoot: root,
  modules: [
    { type: "ESModule", path: `${root}/ab.mjs` },
    { type: "ESModule", path: `${root}/nodebench.mjs` },
    ...["a", "b"].flatMap((b) => [
      { type: "ESModule", path: `${root}/${b}/pilot-core.mjs` },
      { type: "ESModule", path: `${root}/${b}/teavm-runtime.js` },
      { type: "CompiledWasm", path: `${root}/${b}/pilot-core.wasm` },
    ]),
  ],
});
await mf.ready;
const pids = [...workerdChildren()];
const cpu = () => cpuSeconds(pids);
const cpuOf = async (path) => {
  const c0 = cpu();
  for (let i = 0; i < k; i++) {
    const r = await mf.dispatchFetch(`http://worker${path}`);
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${path}: ${body}`);
  }
  return cpu() - c0;
};
const FIG = {
  production: (b) => `/dg?build=${b}&n=${n}`,
  own: (b) => `/dg?build=${b}&n=${n}&cipher=none`,
};
const empty = (b) => `/dg?build=${b}&n=0`;
for (const b of ["a", "b"]) for (const f of Object.values(FIG)) await cpuOf(f(b).replace(/n=\d+/, "n=1000")); // warm up
const rate = {};
const push = (key, v) => (rate[key] ??= []).push(v);
for (let r = 0; r < rounds; r++) {
  const wc = (await cpuOf(`/webcrypto?n=${n}`)) - (await cpuOf(`/webcrypto?n=0`));
  push("webcrypto", (n * k) / wc);
  for (const [name, f] of Object.entries(FIG)) {
    for (const b of r % 2 === 0 ? ["a", "b"] : ["b", "a"]) push(`${name} ${b}`, (n * k) / ((await cpuOf(f(b))) - (await cpuOf(empty(b)))));
  }
  console.log(`round ${r + 1}: ${Object.entries(rate).map(([kk, v]) => `${kk} ${Math.round(v[r])}`).join(", ")}`);
}
await mf.dispose();
rmSync(root, { recursive: true, force: true });
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`\n${rounds} rounds, ${k} × ${n} packets per figure, one workerd isolate, its CPU seconds; load ${load}`);
console.log("| Figure | A /s | A / WebCrypto | B /s | B / WebCrypto | B / A (median of rounds) |\n|---|---|---|---|---|---|");
for (const name of Object.keys(FIG)) {
  const a = rate[`${name} a`];
  const b = rate[`${name} b`];
  const w = rate.webcrypto;
  console.log(`| ${name} | ${Math.round(median(a))} | ${median(a.map((v, i) => v / w[i])).toFixed(2)} | ${Math.round(median(b))} | ${median(b.map((v, i) => v / w[i])).toFixed(2)} | ${median(b.map((v, i) => v / a[i])).toFixed(3)} |`);
}
console.log(`| WebCrypto alone | ${Math.round(median(rate.webcrypto))} | 1.00 | | | |`);
