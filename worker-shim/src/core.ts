// The Pilot core as WebAssembly, instantiated once per isolate, lazily (Workers forbid compiling wasm at
// request time, so the module comes precompiled from the bundle).
import wasm from "../vendor/pilot-core/pilot-core.wasm";
import { loadPilotCore, PlatformCryptoError, type PilotCore } from "../vendor/pilot-core/pilot-core.mjs";

export { webCryptoRunner } from "../vendor/pilot-core/pilot-core.mjs";
export type { PilotCore, WebCryptoRunner, NodeEvent, Profile, ErrorName, CloseMode, ReplyPolicy } from "../vendor/pilot-core/pilot-core.mjs";

export { PlatformCryptoError };

let core: Promise<PilotCore> | null = null;

/**
 * The core, loaded once. Its crypto runs on node:crypto, so a Worker needs the `nodejs_compat` flag: without
 * it this rejects at once with a PlatformCryptoError (code NODEJS_COMPAT_REQUIRED, the message names the
 * flag), and keeps rejecting with it, so every request shows the same error.
 */
export function getCore(): Promise<PilotCore> {
  core ??= loadPilotCore(wasm);
  return core;
}

/**
 * PilotCore.nodeSnapshotDue: 0 nothing changed; ADVISORY a receive high-water mark advanced; REQUIRED persist
 * nodeSnapshot before this step's datagrams leave (a send-counter reservation was raised, or a session came
 * or went). The layout of nodeSnapshot is docs/SPEC-NOTES.md #37.
 */
export const SNAPSHOT_DUE = Object.freeze({ NONE: 0, ADVISORY: 1, REQUIRED: 2 } as const);

/** The node's sessions as bytes to persist (clears the due mark); null only for an unknown handle. */
export function nodeSnapshot(core: PilotCore, handle: number, now: number): Uint8Array | null {
  return core.nodeSnapshot(handle, now);
}

/** Restores a snapshot into a node that handled no frame yet: 0 ok, else the (positive) ErrorCode number. */
export function nodeRestore(core: PilotCore, handle: number, bytes: Uint8Array, now: number): number {
  const r = core.nodeRestore(handle, bytes, now);
  return r >= 0 ? 0 : -r;
}
