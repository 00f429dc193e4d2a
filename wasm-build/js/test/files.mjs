// Loads the vector files and the built modules from the repository (Node.js only).
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../../", import.meta.url));
export const dist = `${root}wasm-build/target/pilot-core/`;
export const conformanceDist = `${root}wasm-build/target/pilot-conformance/`;

function jsonDir(dir) {
  const out = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
    out[f.replace(/\.json$/, "")] = JSON.parse(readFileSync(dir + f, "utf8"));
  }
  return out;
}

export function vectorFiles() {
  return {
    reference: jsonDir(`${root}test-vectors/reference/`),
    generated: jsonDir(`${root}test-vectors/generated/`),
  };
}
