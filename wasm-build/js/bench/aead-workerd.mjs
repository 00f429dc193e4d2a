// workerd only, with nodejs_compat: seal + open of 1,200-byte packets through the node API on node:crypto
// workerd only, with nodejs_compat: seal + open of 1,200-byte packets through the node API on node:crypto
// (pilot-core.wasm has no other cipher since branch size), through the node API with the AEAD as an effect
// answered by WebCrypto (batches of 32 and of 1 packet), and the ciphers alone (WebCrypto one call at a time
// and in batches of 32, node:crypto), in alternating rounds of one run; prints each round and the medians.
// Timed from outside (workerd freezes clocks while computing).
//   node bench/aead-workerd.mjs [rounds] [--baseline DIR]
// --baseline DIR: another build's target/pilot-core in a second local workerd; each round then also measures the
// node API (WebCrypto answers, batch 32), the node's own work and WebCrypto alone there, right after this build's,
// and a second table gives this build / the baseline for each.
import { startWorker } from "../test/miniflare.mjs";

const argv = process.argv.slice(2);
const baselineAt = argv.indexOf("--baseline");
const baselineDir = baselineAt >= 0 ? argv.splice(baselineAt, 2)[1] : null;
const rounds = Number(argv[0] ?? 7);
const n = 4000;
const mf = startWorker({ nodejsCompat: true });
await mf.ready;
const base = baselineDir === null ? null : startWorker({ nodejsCompat: true, coreDir: baselineDir });
if (base !== null) await base.ready;
/** The same requests against one workerd, timed from outside. */
const timer = (w) => {
  const one = async (path) => {
    const t0 = performance.now();
    await (await w.dispatchFetch(`http://worker${path}`)).arrayBuffer();
    return performance.now() - t0;
  };
  return async (path, k = 3) => {
    let t = Infinity;
    for (let i = 0; i < k; i++) t = Math.min(t, await one(path));
    return t;
  };
};
const once = async (path) => {
  const t0 = performance.now();
  await (await mf.dispatchFetch(`http://worker${path}`)).arrayBuffer();
  return performance.now() - t0;
};
/** The fastest of k requests: the one least disturbed by other work on the machine. */
const best = async (path, k = 3) => {
  let t = Infinity;
  for (let i = 0; i < k; i++) t = Math.min(t, await once(path));
  return t;
};
for (const p of ["/pair", "/datagrams?n=200", "/webcrypto?n=200", "/nodecrypto?n=200", "/noop",
  "/datagrams-webcrypto?n=0", "/datagrams-webcrypto?n=200", "/datagrams-webcrypto?n=200&cipher=none", "/datagrams-webcrypto?n=200&batch=1", "/webcrypto-batched?n=200"]) await once(p);
if (base !== null) {
  const warm = timer(base);
  for (const p of ["/noop", "/webcrypto?n=200", "/datagrams-webcrypto?n=0", "/datagrams-webcrypto?n=200", "/datagrams-webcrypto?n=200&cipher=none"]) await warm(p, 1);
}
const rates = { "node API, WebCrypto answers, batch 32": [], "node API, WebCrypto answers, batch 1": [],
  "node API, answers without a cipher (the node's own work), batch 32": [], "node API, node:crypto": [],
  "WebCrypto alone": [], "WebCrypto alone, batch 32": [], "node:crypto alone": [] };
const againstBase = {};
for (let r = 0; r < rounds; r++) {
  const noop = await best("/noop");
  const pairWc = await best("/datagrams-webcrypto?n=0");
  const row = {
    "node API, WebCrypto answers, batch 32": n / (((await best(`/datagrams-webcrypto?n=${n}`)) - pairWc) / 1000),
    "node API, WebCrypto answers, batch 1": n / (((await best(`/datagrams-webcrypto?n=${n}&batch=1`)) - pairWc) / 1000),
    "node API, answers without a cipher (the node's own work), batch 32":
      n / (((await best(`/datagrams-webcrypto?n=${n}&cipher=none`)) - pairWc) / 1000),
    "WebCrypto alone, batch 32": n / (((await best(`/webcrypto-batched?n=${n}`)) - noop) / 1000),
    "node API, node:crypto": n / (((await best(`/datagrams?n=${n}`)) - (await best("/pair"))) / 1000),
    "WebCrypto alone": n / (((await best(`/webcrypto?n=${n}`)) - noop) / 1000),
    "node:crypto alone": n / (((await best(`/nodecrypto?n=${n}`)) - noop) / 1000),
  };
  for (const k in row) rates[k].push(row[k]);
  console.log(`round ${r + 1}: ${Object.entries(row).map(([k, v]) => `${k} ${Math.round(v)}/s`).join(", ")}`);
  if (base !== null) {
    // the baseline right after, then this build again, so that each ratio compares neighbouring requests
    const pair = { current: {}, baseline: {} };
    for (const [name, w] of [["baseline", base], ["current", mf]]) {
      const b = timer(w);
      const noopB = await b("/noop");
      const pairB = await b("/datagrams-webcrypto?n=0");
      pair[name] = {
        "node API, WebCrypto answers, batch 32": n / (((await b(`/datagrams-webcrypto?n=${n}`)) - pairB) / 1000),
        "node's own work (answers without a cipher)": n / (((await b(`/datagrams-webcrypto?n=${n}&cipher=none`)) - pairB) / 1000),
        "WebCrypto alone": n / (((await b(`/webcrypto?n=${n}`)) - noopB) / 1000),
      };
    }
    for (const k in pair.current) {
      (againstBase[k] ??= { current: [], baseline: [], ratio: [] });
      againstBase[k].current.push(pair.current[k]);
      againstBase[k].baseline.push(pair.baseline[k]);
      againstBase[k].ratio.push(pair.current[k] / pair.baseline[k]);
    }
    console.log(`  against the baseline: ${Object.keys(pair.current).map((k) => `${k} ${Math.round(pair.current[k])} vs ${Math.round(pair.baseline[k])}/s`).join(", ")}`);
  }
}
await mf.dispose();
if (base !== null) await base.dispose();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
console.log("| Figure (workerd, 1,200-byte seal + open) | Median /s | / WebCrypto |\n|---|---|---|");
for (const k in m) console.log(`| ${k} | ${Math.round(m[k]).toLocaleString("en")} | ${(m[k] / m["WebCrypto alone"]).toFixed(2)} |`);
if (base !== null) {
  const wcCur = median(againstBase["WebCrypto alone"].current);
  const wcBase = median(againstBase["WebCrypto alone"].baseline);
  console.log(`\n| Figure (workerd, baseline ${baselineDir}) | This build /s | / its WebCrypto | Baseline /s | / its WebCrypto | This / baseline (median of rounds) |\n|---|---|---|---|---|---|`);
  for (const [k, v] of Object.entries(againstBase)) {
    const c = median(v.current);
    const b = median(v.baseline);
    console.log(`| ${k} | ${Math.round(c).toLocaleString("en")} | ${(c / wcCur).toFixed(2)} | ${Math.round(b).toLocaleString("en")} | ${(b / wcBase).toFixed(2)} | ${median(v.ratio).toFixed(2)} |`);
  }
}
