// Builds the npm package: src/*.ts -> dist/*.js + .d.ts (tsc, tsconfig.build.json). The compiled modules
// import the core from ../vendor/pilot-core/ (pilot-core.wasm, its loader and types), which
// prepare-core.mjs copies from the Maven build and package.json "files" ships beside dist/.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
if (!existsSync(`${root}vendor/pilot-core/pilot-core.wasm`)) {
  console.error("vendor/pilot-core is missing: run 'npm run prepare-core' (after 'mvn -pl wasm-build -am package')");
  process.exit(2);
}
rmSync(`${root}dist`, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", `${root}tsconfig.build.json`], { stdio: "inherit" });
console.log(`built ${root}dist`);
