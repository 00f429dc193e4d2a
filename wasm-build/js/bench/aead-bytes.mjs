// Node.js 22: how much of the sender's per-packet work with the AEAD as an effect depends on the packet's
// size. The same calls with 16-byte and 1,166-byte payloads, batches of 32, the cipher replaced by a copy
// (so only the node's work is timed): what grows with the size is copying and checksumming.
//   node bench/aead-bytes.mjs
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { nodePair, pump } from "../suite/nodebench.mjs";

const dist = new URL("../../target/pilot-core/", import.meta.url);
const { loadPilotCore, withFullApi, webCryptoRunner } = await import(new URL("pilot-core.mjs", dist));
const core = withFullApi(await loadPilotCore(readFileSync(new URL("pilot-core.wasm", dist))));
const random = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const { x, y } = nodePair(core, random);
core.nodeDeferAead(x.h);
core.nodePing(x.h, 0, y.node, 0);
const runner = webCryptoRunner(core);
for (let i = 0; i < 5; i++) {
  while ((await runner.step(x.h, () => 0)) > 0);
  pump(core, x, y);
}
const n = 20000;
console.log("| Call (µs per packet) | 16-byte payload | 1,166-byte payload |\n|---|---|---|");
const rows = {};
for (const size of [16, 1166]) {
  const payload = random(size);
  const t = { nodeSendDatagram: 0, nodePollCrypto: 0, nodeCryptoDone: 0, nodePollTransmit: 0 };
  for (let round = 0; round < 2; round++) {
    for (const k in t) t[k] = 0;
    for (let i = 0; i < n; i += 32) {
      let a = performance.now();
      for (let k = 0; k < 32; k++) core.nodeSendDatagram(x.h, 0, y.node, 1001, payload, 0);
      let b = performance.now();
      t.nodeSendDatagram += b - a;
      const reqs = core.nodePollCrypto(x.h);
      a = performance.now();
      t.nodePollCrypto += a - b;
      const outs = reqs.map((q) => { const o = new Uint8Array(q.data.length + 16); o.set(q.data); return o; });
      const ids = reqs.map((q) => q.id);
      a = performance.now();
      core.nodeCryptoDone(x.h, ids, outs, 0);
      b = performance.now();
      t.nodeCryptoDone += b - a;
      for (let tx = core.nodePollTransmit(x.h); tx; tx = core.nodePollTransmit(x.h));
      t.nodePollTransmit += performance.now() - b;
    }
  }
  for (const k in t) (rows[k] ??= []).push((t[k] * 1000 / n).toFixed(2));
}
for (const k in rows) console.log(`| ${k} | ${rows[k][0]} | ${rows[k][1]} |`);
