// Copies the built core (wasm-build/target/pilot-core: .wasm, loader, types) into vendor/pilot-core.
// Run `mvn package` first; this fails with a clear message when the core is not built.
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../../wasm-build/target/pilot-core/", import.meta.url));
const to = fileURLToPath(new URL("../vendor/pilot-core/", import.meta.url));
if (!existsSync(`${from}pilot-core.wasm`)) {
  console.error(`pilot-core.wasm is not built: run 'mvn -pl wasm-build -am package' first (looked in ${from})`);
  process.exit(2);
}
mkdirSync(to, { recursive: true });
for (const f of ["pilot-core.wasm", "pilot-core.mjs", "pilot-core.d.ts", "teavm-runtime.js"]) {
  cpSync(from + f, to + f);
}
cpSync(from + "pilot-core.d.ts", to + "pilot-core.d.mts"); // TypeScript looks for .d.mts beside an .mjs
console.log(`pilot-core copied to ${to}`);
