// workerd only, with nodejs_compat: seal + open of 1,200-byte packets through the node API on node:crypto
// (pilot-core.wasm has no other cipher since branch size), and the two ciphers alone (WebCrypto, node:crypto), in alternating rounds of
// one run; prints each round and the medians. Timed from outside (workerd freezes clocks while computing).
//   node bench/aead-workerd.mjs [rounds]
import { startWorker } from "../test/miniflare.mjs";

const rounds = Number(process.argv[2] ?? 7);
const n = 4000;
const mf = startWorker({ nodejsCompat: true });
await mf.ready;
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
for (const p of ["/pair", "/datagrams?n=200", "/webcrypto?n=200", "/nodecrypto?n=200", "/noop"]) await once(p);
const rates = { "node API, node:crypto": [], "WebCrypto alone": [], "node:crypto alone": [] };
for (let r = 0; r < rounds; r++) {
  const noop = await best("/noop");
  const row = {
    "node API, node:crypto": n / (((await best(`/datagrams?n=${n}`)) - (await best("/pair"))) / 1000),
    "WebCrypto alone": n / (((await best(`/webcrypto?n=${n}`)) - noop) / 1000),
    "node:crypto alone": n / (((await best(`/nodecrypto?n=${n}`)) - noop) / 1000),
  };
  for (const k in row) rates[k].push(row[k]);
  console.log(`round ${r + 1}: ${Object.entries(row).map(([k, v]) => `${k} ${Math.round(v)}/s`).join(", ")}`);
}
await mf.dispose();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
console.log("| Figure (workerd, 1,200-byte seal + open) | Median /s | / WebCrypto |\n|---|---|---|");
for (const k in m) console.log(`| ${k} | ${Math.round(m[k]).toLocaleString("en")} | ${(m[k] / m["WebCrypto alone"]).toFixed(2)} |`);
