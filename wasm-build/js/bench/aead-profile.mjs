// Node.js 22: where the time of one 1,200-byte seal + open goes on the production path with the AEAD as an
// effect (WebCrypto answers, batches of 32), phase by phase: the node's calls through the boundary against the
// WebCrypto calls themselves. A profile, not a verdict (Node's WebCrypto is not workerd's).
//   node bench/aead-profile.mjs [packets]
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { nodePair, pump } from "../suite/nodebench.mjs";

const dist = new URL("../../target/pilot-core/", import.meta.url);
const { loadPilotCore, withFullApi } = await import(new URL("pilot-core.mjs", dist));
const core = withFullApi(await loadPilotCore(readFileSync(process.env.PILOT_WASM ?? new URL("pilot-core.wasm", dist)));
const random = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const n = Number(process.argv[2] ?? 20000);
const batch = 32;
const subtle = webcrypto.subtle;
const t = { send: 0, pollSeals: 0, encrypt: 0, doneSeals: 0, pollTransmit: 0, handle: 0, pollOpens: 0, decrypt: 0, doneOpens: 0, pollEvent: 0 };
const keys = new Map();
const clock = () => performance.now();

/** One batch of the node's requests through WebCrypto, the phases timed apart. */
async function answer(h, pollKey, cipherKey, doneKey) {
  let a = clock();
  const reqs = core.nodePollCrypto(h);
  t[pollKey] += clock() - a;
  if (reqs === null) return;
  const ids = [];
  const work = [];
  for (const r of reqs) {
    if (r.kind === 1) keys.set(`${h}:${r.keyId}`, await subtle.importKey("raw", r.data, "AES-GCM", false, ["encrypt", "decrypt"]));
    else if (r.kind >= 3) {
      ids.push(r.id);
      work.push(r);
    }
  }
  a = clock();
  const outs = await Promise.all(work.map((r) => (r.kind === 3 ? subtle.encrypt : subtle.decrypt).call(subtle,
    { name: "AES-GCM", iv: r.nonce, additionalData: r.aad }, keys.get(`${h}:${r.keyId}`), r.data).then((b) => new Uint8Array(b), () => null)));
  t[cipherKey] += clock() - a;
  a = clock();
  core.nodeCryptoDone(h, ids, outs, 0);
  t[doneKey] += clock() - a;
}

const { x, y } = nodePair(core, random);
core.nodeDeferAead(x.h);
core.nodeDeferAead(y.h);
core.nodePing(x.h, 0, y.node, 0);
for (let i = 0; i < 6; i++) {
  await answer(x.h, "pollSeals", "encrypt", "doneSeals");
  await answer(y.h, "pollOpens", "decrypt", "doneOpens");
  pump(core, x, y);
}
core.nodeListen(y.h, 1001);
for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h));
for (const k in t) t[k] = 0;
const payload = random(1166);
let got = 0;
const start = clock();
for (let i = 0; i < n; i += batch) {
  let a = clock();
  for (let k = i; k < Math.min(n, i + batch); k++) core.nodeSendDatagram(x.h, 0, y.node, 1001, payload, 0);
  t.send += clock() - a;
  await answer(x.h, "pollSeals", "encrypt", "doneSeals");
  for (let tx = (a = clock(), core.nodePollTransmit(x.h)); tx; tx = core.nodePollTransmit(x.h)) {
    const b = clock();
    t.pollTransmit += b - a;
    core.nodeHandleDatagram(y.h, "10.0.0.1", 4000, tx.datagram, 0);
    a = clock();
    t.handle += a - b;
  }
  t.pollTransmit += clock() - a;
  await answer(y.h, "pollOpens", "decrypt", "doneOpens");
  a = clock();
  for (let e = core.nodePollEvent(y.h); e; e = core.nodePollEvent(y.h)) if (e.kind === "DATAGRAM") got++;
  t.pollEvent += clock() - a;
}
const total = clock() - start;
if (got !== n) throw new Error(`got ${got} of ${n}`);
console.log(`${n} packets, batches of ${batch}: ${(n / (total / 1000)).toFixed(0)} /s, ${(total * 1000 / n).toFixed(2)} µs per seal + open`);
console.log("| Phase | µs per packet |\n|---|---|");
for (const k in t) console.log(`| ${k} | ${(t[k] * 1000 / n).toFixed(2)} |`);
console.log(`| (other: awaits, loop) | ${((total - Object.values(t).reduce((s, v) => s + v, 0)) * 1000 / n).toFixed(2)} |`);
