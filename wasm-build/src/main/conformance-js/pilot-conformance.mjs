// pilot-conformance: the test-only face of the core (ConformanceWasm), for the vector and simulation
// suites in Node.js and workerd. Never shipped to a Worker; the node is in pilot-core.mjs.
// Same error convention as pilot-core: a number >= 0 is a result, a negative one is minus an ErrorCode;
// results with several fields come as JSON {ok, error, error_code, ...}.
import { load } from "../pilot-core/teavm-runtime.js";
import { installCrypto } from "../pilot-core/pilot-core.mjs";

function i8(u8) {
  if (u8 === null || u8 === undefined) return u8;
  if (u8 instanceof Int8Array) return u8;
  return new Int8Array(u8.buffer, u8.byteOffset, u8.byteLength);
}
function u8(a) {
  return a === null || a === undefined ? null : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function wrap(x) {
  const j = (s) => JSON.parse(s);
  return {
    raw: x,
    version: () => x.version(),
    errorName: (code) => x.errorName(code),
    liveHandles: () => x.liveHandles(),
    free: (h) => x.free(h),
    // codecs
    addressParse: (text) => j(x.addressParse(text)),
    packetEncode: (f) => u8(x.packetEncode(f.flags, f.protocol, f.src, f.dst, f.src_port, f.dst_port, f.seq, f.ack, f.window,
      i8(f.payload ?? new Uint8Array(0)))),
    packetDecode: (wire) => j(x.packetDecode(i8(wire))),
    frameDecode: (datagram) => j(x.frameDecode(i8(datagram))),
    // crypto
    x25519Public: (priv) => u8(x.x25519Public(i8(priv))),
    x25519Shared: (priv, pub) => u8(x.x25519Shared(i8(priv), i8(pub))),
    sessionKey: (profile, shared) => u8(x.sessionKey(profile, i8(shared))),
    ed25519Public: (seed) => u8(x.ed25519Public(i8(seed))),
    ed25519Sign: (seed, msg) => u8(x.ed25519Sign(i8(seed), i8(msg))),
    ed25519Verify: (pub, msg, sig) => x.ed25519Verify(i8(pub), i8(msg), i8(sig)),
    sha256: (data) => u8(x.sha256(i8(data))),
    /** "node:crypto" when seal, open and the key exchange run AES-GCM on the platform, else "bouncy-castle". */
    aead: () => (x.platformAead() === 1 ? "node:crypto" : "bouncy-castle"),
    // envelope and replay window
    seal: (profile, key, prefix, counter, sender, packet) => u8(x.seal(profile, i8(key), i8(prefix), String(counter), sender, i8(packet))),
    open: (profile, key, frame) => j(x.open(profile, i8(key), i8(frame))),
    replayNew: () => x.replayNew(),
    replayCheck: (h, counter) => x.replayCheck(h, String(counter)),
    replayCommit: (h, counter) => x.replayCommit(h, String(counter)),
    // key exchange transcripts
    kxNew: (node, seed, entropySeed, profile) => x.kxNew(node, i8(seed), String(entropySeed), profile),
    kxTrust: (h, node, pub) => x.kxTrust(h, node, i8(pub)),
    kxStart: (h, peer, now) => u8(x.kxStart(h, peer, now)),
    kxOnAuth: (h, frame, source, now) => j(x.kxOnAuth(h, i8(frame), source, now)),
    kxSeal: (h, peer, packet) => u8(x.kxSeal(h, peer, i8(packet))),
    kxOpen: (h, frame, now) => j(x.kxOpen(h, i8(frame), now)),
    // the network simulation
    simRun: (seed, bytesPerStream) => j(x.simRun(String(seed), bytesPerStream)),
  };
}

/**
 * A WebAssembly.Module (workerd) or the module's bytes (Node.js). `options.crypto`: left out, the production
 * module's platform crypto (PlatformSuite on node:crypto) when the runtime has node:crypto, so the vectors
 * check that path; `false`, Bouncy Castle (which this module keeps); or a node:crypto-like object.
 */
export async function loadConformance(source, options = {}) {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const teavm = await load(module, { installImports: (importObj) => installCrypto(importObj, options.crypto) });
  return wrap(teavm.exports);
}
