// The deterministic network simulation compiled to wasm (pilot-conformance.wasm) gives the JVM's trace
// hash for the same seeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { root, conformanceDist } from "./files.mjs";

const { loadConformance } = await import(`${conformanceDist}pilot-conformance.mjs`);

test("simulation trace hashes match the JVM (test-vectors/generated/sim-traces.json)", async () => {
  const expected = JSON.parse(readFileSync(`${root}test-vectors/generated/sim-traces.json`, "utf8"));
  const conf = await loadConformance(readFileSync(`${conformanceDist}pilot-conformance.wasm`));
  let packets = 0;
  for (const run of expected.runs) {
    const r = conf.simRun(run.seed, run.bytes_per_stream);
    packets += r.packets;
    assert.deepEqual({ seed: run.seed, ok: r.ok, trace: r.trace, packets: r.packets },
      { seed: run.seed, ok: true, trace: run.trace, packets: run.packets });
  }
  console.log(`wasm simulation: ${expected.runs.length} seeds, ${packets} packets, traces equal to the JVM's`);
});
