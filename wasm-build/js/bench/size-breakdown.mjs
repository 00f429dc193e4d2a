// What pilot-core.wasm's code is made of, by package: reads a module with a name section (build with
// `mvn -pl wasm-build -am package -DskipTests -Dwasm.minifying=false`, then pass
// wasm-build/target/teavm-out/pilot-core.wasm, TeaVM's output before wasm-opt) and prints a markdown table
// of code-section bytes per group, then the largest functions.
//   node bench/size-breakdown.mjs FILE.wasm [top]
import { readFileSync } from "node:fs";

const b = readFileSync(process.argv[2]);
const top = Number(process.argv[3] ?? 25);
let i = 8;
const leb = () => {
  let n = 0;
  let shift = 0;
  for (;;) {
    const x = b[i++];
    n += (x & 0x7f) * 2 ** shift;
    shift += 7;
    if (x < 0x80) return n;
  }
};
const sections = [];
while (i < b.length) {
  const id = b[i++];
  const size = leb();
  sections.push({ id, start: i, size });
  i += size;
}
let imported = 0;
for (const s of sections.filter((x) => x.id === 2)) {
  i = s.start;
  for (let n = leb(); n > 0; n--) {
    const skip = () => { const l = leb(); i += l; }; // `i += leb()` would read i before leb() moves it
    skip(); // module
    skip(); // name
    const kind = b[i++];
    if (kind === 0) { leb(); imported++; } else if (kind === 1) { i++; const f = b[i++]; leb(); if (f & 1) leb(); } else if (kind === 2) { const f = b[i++]; leb(); if (f & 1) leb(); } else if (kind === 3) { const t = b[i++]; if (t === 0x63 || t === 0x64) leb(); i++; } else if (kind === 4) { i++; leb(); }
  }
}
const names = new Map();
const bodies = [];
for (const s of sections) {
  i = s.start;
  if (s.id === 10) {
    for (let n = leb(), k = 0; k < n; k++) {
      const size = leb();
      bodies.push({ index: imported + k, size });
      i += size;
    }
  } else if (s.id === 0) {
    const len = leb();
    if (b.toString("utf8", i, i + len) !== "name") continue;
    i += len;
    while (i < s.start + s.size) {
      const sub = b[i++];
      const end = leb() + i;
      if (sub === 1) {
        for (let n = leb(); n > 0; n--) {
          const idx = leb();
          const l = leb();
          names.set(idx, b.toString("utf8", i, i + l));
          i += l;
        }
      }
      i = end;
    }
  }
}
if (names.size === 0) throw new Error("no name section: build with -Dwasm.minifying=false and pass target/teavm-out/pilot-core.wasm");
const groups = [["org.bouncycastle.crypto.modes", "Bouncy Castle GCM"], ["org.bouncycastle.crypto.engines", "Bouncy Castle AES"],
  ["org.bouncycastle.math.ec.rfc7748", "Bouncy Castle X25519"], ["org.bouncycastle.math.ec.rfc8032", "Bouncy Castle Ed25519"],
  ["org.bouncycastle.crypto.digests", "Bouncy Castle SHA-256 / SHA-512"], ["org.bouncycastle", "Bouncy Castle other"],
  ["pilot.core.stream", "streams"], ["pilot.core.node", "node"], ["pilot.core.handshake", "handshake"],
  ["pilot.core", "wire, frames, envelope, addresses, errors"], ["pilot.wasm", "export wrappers, Io, PlatformAead"],
  ["java.util", "java.util"], ["java.lang", "java.lang"], ["java.", "java other"], ["com.jcraft", "CRC-32"],
  ["teavm@initializer", "TeaVM static initialisers"], ["org.teavm", "TeaVM runtime"]];
const total = bodies.reduce((a, x) => a + x.size, 0);
const sums = new Map();
for (const f of bodies) {
  const name = names.get(f.index) ?? "?";
  const g = groups.find(([p]) => name.startsWith(p))?.[1] ?? "other (arrays, TeaVM helpers)";
  sums.set(g, (sums.get(g) ?? 0) + f.size);
}
console.log(`code section: ${total.toLocaleString("en")} B in ${bodies.length} functions\n\n| Part | Bytes | Share |\n|---|---|---|`);
for (const [g, v] of [...sums].sort((x, y) => y[1] - x[1])) console.log(`| ${g} | ${v.toLocaleString("en")} | ${(v / total * 100).toFixed(1)} % |`);
console.log(`\nLargest functions:`);
for (const f of [...bodies].sort((x, y) => y.size - x.size).slice(0, top)) console.log(`${f.size}\t${names.get(f.index)}`);
