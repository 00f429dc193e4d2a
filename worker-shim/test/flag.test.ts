// A Worker without the nodejs_compat flag: pilot-core.wasm runs its crypto on node:crypto, so loading it must
// fail at once with the typed error naming the flag, and the Durable Object's answer must carry its code.
// (This suite's workerd has the flag; taking process.getBuiltinModule away is what a Worker without it sees.)
import { describe, expect, it } from "vitest";
import wasm from "../vendor/pilot-core/pilot-core.wasm";
import { loadPilotCore, withFullApi } from "../vendor/pilot-core/pilot-core.mjs";
import { PlatformCryptoError } from "../src/core.js";
import { unavailable } from "../src/http.js";

describe("without nodejs_compat", () => {
  it("loadPilotCore refuses at once with PlatformCryptoError NODEJS_COMPAT_REQUIRED naming the flag", async () => {
    const proc = (globalThis as unknown as { process: { getBuiltinModule?: unknown } }).process;
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      const e: unknown = await loadPilotCore(wasm).then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(PlatformCryptoError);
      expect((e as PlatformCryptoError).code).toBe("NODEJS_COMPAT_REQUIRED");
      expect((e as Error).message).toContain('"nodejs_compat"');
      const res = unavailable(e);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: (e as Error).message, code: "NODEJS_COMPAT_REQUIRED" });
    } finally {
      proc.getBuiltinModule = saved;
    }
  });

  it("with the flag the same module loads, and other failures stay UNAVAILABLE", async () => {
    const core = withFullApi(await loadPilotCore(wasm));
    expect(core.aead()).toBe("node:crypto");
    expect(await unavailable(new Error("no relay configured")).json()).toEqual({ error: "no relay configured", code: "UNAVAILABLE" });
  });
});
