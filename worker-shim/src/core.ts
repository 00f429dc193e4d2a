// The Pilot core as WebAssembly, instantiated once per isolate, lazily (Workers forbid compiling wasm at
// request time, so the module comes precompiled from the bundle).
import wasm from "../vendor/pilot-core/pilot-core.wasm";
import { loadPilotCore, type PilotCore } from "../vendor/pilot-core/pilot-core.mjs";

export type { PilotCore, NodeEvent, Profile, ErrorName, CloseMode, ReplyPolicy } from "../vendor/pilot-core/pilot-core.mjs";

let core: Promise<PilotCore> | null = null;

export function getCore(): Promise<PilotCore> {
  core ??= loadPilotCore(wasm);
  return core;
}
