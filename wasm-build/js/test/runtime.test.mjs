// The TeaVM runtime as PatchRuntime leaves it for Workers (target/pilot-core/teavm-runtime.js): it instantiates a
// compiled module and nothing else. No loading from a path or URL, no deobfuscator, no Emscripten, no dynamic
// import, and no free `process` (which would make wrangler bundle its process polyfill into every Worker).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { conformanceDist, dist } from "./files.mjs";

const runtimeText = readFileSync(`${dist}teavm-runtime.js`, "utf8");
const { defaults, load } = await import(`${dist}teavm-runtime.js`);
const { loadPilotCore, withFullApi } = await import(`${dist}pilot-core.mjs`);
const bytes = readFileSync(`${dist}pilot-core.wasm`);

test("the shipped runtime has no loading path a Worker cannot take, and no free process", () => {
  for (const word of ["process", "fetch(", "import(", "eobfuscat", "emscripten", "compileStreaming", "WebAssembly.compile(",
    "new Function("]) {
    assert.equal(runtimeText.includes(word), false, `teavm-runtime.js still contains ${word}`);
  }
  assert.ok(runtimeText.length < 13_000, `teavm-runtime.js is ${runtimeText.length} B; the trimmed one was 11,557 B`);
});

test("the runtime supplies every TeaVM import both modules declare, and none of the groups neither declares", () => {
  const imports = {};
  defaults(imports, {}, false);
  for (const file of [`${dist}pilot-core.wasm`, `${conformanceDist}pilot-conformance.wasm`]) {
    const module = new WebAssembly.Module(readFileSync(file));
    // env and teavmMemory come from load()'s linkImports, pilot from pilot-core.mjs's crypto
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      if (from === "env" || from === "teavmMemory" || from === "pilot") continue;
      assert.notEqual(imports[from]?.[name], undefined, `${file} imports ${from}.${name}, which the runtime lacks`);
    }
  }
  // cut by PatchRuntime.trimImports: every byte of them shipped in each Worker's bundle
  for (const group of ["teavmDate", "teavmConsole", "teavmAsync", "teavmMath"]) assert.equal(imports[group], undefined, group);
  for (const name of ["createWeakRef", "deref", "createStringWeakRef"]) assert.equal(imports.teavm[name], undefined, name);
  for (const name of ["defineMethod", "defineProperty", "asFunction", "hashCode", "apply", "bindFunction1", "arrayOf1"]) {
    assert.equal(imports.teavmJso[name], undefined, name);
  }
});

test("load() takes a compiled WebAssembly.Module only: bytes or a path are a TypeError, never a fetch", async () => {
  for (const src of [bytes, "pilot-core.wasm", new URL("file:///pilot-core.wasm")]) {
    await assert.rejects(load(src, {}), (e) => e instanceof TypeError && /WebAssembly\.Module/.test(e.message));
  }
});

test("loadPilotCore still takes the bytes (it compiles them) as well as a Module", async () => {
  for (const src of [bytes, new WebAssembly.Module(bytes)]) {
    const core = withFullApi(await loadPilotCore(src));
    assert.equal(core.version(), "pilot-core 0.1.0");
    assert.equal(core.liveHandles(), 0);
  }
});
