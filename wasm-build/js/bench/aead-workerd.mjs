// workerd only, with nodejs_compat: seal + open of 1,200-byte packets through the node API on node:crypto
// workerd only, with nodejs_compat: seal + open of 1,200-byte packets through the node API on node:crypto
// (pilot-core.wasm has no other cipher since branch size), through the node API with the AEAD as an effect
// answered by WebCrypto (batches of 32 and of 1 packet), and the ciphers alone (WebCrypto one call at a time
// and in batches of 32, node:crypto), in alternating rounds of one run; prints each round and the medians.
// Timed from outside (workerd freezes clocks while computing).
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
for (const p of ["/pair", "/datagrams?n=200", "/webcrypto?n=200", "/nodecrypto?n=200", "/noop",
  "/datagrams-webcrypto?n=0", "/datagrams-webcrypto?n=200", "/datagrams-webcrypto?n=200&cipher=none", "/datagrams-webcrypto?n=200&batch=1", "/webcrypto-batched?n=200"]) await once(p);
const rates = { "node API, WebCrypto answers, batch 32": [], "node API, WebCrypto answers, batch 1": [],
  "node API, answers without a cipher (the node's own work), batch 32": [], "node API, node:crypto": [],
  "WebCrypto alone": [], "WebCrypto alone, batch 32": [], "node:crypto alone": [] };
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
}
await mf.dispose();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, median(v)]));
console.log("| Figure (workerd, 1,200-byte seal + open) | Median /s | / WebCrypto |\n|---|---|---|");
for (const k in m) console.log(`| ${k} | ${Math.round(m[k]).toLocaleString("en")} | ${(m[k] / m["WebCrypto alone"]).toFixed(2)} |`);
