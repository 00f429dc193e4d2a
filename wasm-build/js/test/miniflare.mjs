// Starts the test Worker in a real local workerd (Miniflare from npm; no login, no network).
import { Miniflare } from "miniflare";
import { mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

const wasmBuild = fileURLToPath(new URL("../../", import.meta.url)); // wasm-build/

/** A folder laid out like wasm-build/ whose target/ is that of the build `coreDir` (its target/pilot-core) belongs to. */
function rootWithCore(coreDir) {
  const r = mkdtempSync(`${tmpdir()}/pilot-bench-root-`);
  symlinkSync(`${wasmBuild}js`, `${r}/js`);
  mkdirSync(`${r}/target`);
  symlinkSync(coreDir, `${r}/target/pilot-core`);
  // the conformance module of the same build: its loader imports the core's
  symlinkSync(`${coreDir.replace(/\/?$/, "")}/../pilot-conformance`, `${r}/target/pilot-conformance`);
  return `${r}/`;
}

/** `coreDir`: another build's target/pilot-core in place of this one's (bench.mjs --baseline). `nodejsCompat`: with the flag, node:crypto is there (pilot-core.wasm needs it; the conformance module then runs on it too). `inspectorPort`: workerd's DevTools inspector on 127.0.0.1 (0 = any free port; bench/profile-workerd.mjs). */
export function startWorker({ nodejsCompat = false, coreDir = null, inspectorPort = undefined } = {}) {
  const base = coreDir === null ? wasmBuild : rootWithCore(coreDir);
  // Modules are listed explicitly: Miniflare's own import scanner cannot parse TeaVM's runtime.
  return new Miniflare({
    compatibilityDate: "2025-06-01",
    compatibilityFlags: nodejsCompat ? ["nodejs_compat"] : [],
    cf: false,
    ...(inspectorPort === undefined ? {} : { inspectorPort }),
    modulesRoot: base,
    modules: [
      { type: "ESModule", path: `${base}js/worker/index.mjs` },
      { type: "ESModule", path: `${base}js/suite/vectors.mjs` },
      { type: "ESModule", path: `${base}js/suite/twopeer.mjs` },
      { type: "ESModule", path: `${base}js/suite/nodebench.mjs` },
      { type: "ESModule", path: `${base}target/pilot-core/pilot-core.mjs` },
      { type: "ESModule", path: `${base}target/pilot-core/teavm-runtime.js` },
      { type: "ESModule", path: `${base}target/pilot-conformance/pilot-conformance.mjs` },
      { type: "CompiledWasm", path: `${base}target/pilot-core/pilot-core.wasm` },
      { type: "CompiledWasm", path: `${base}target/pilot-conformance/pilot-conformance.wasm` },
    ],
  });
}
