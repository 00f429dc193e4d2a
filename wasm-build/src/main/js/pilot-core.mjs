// pilot-core: the Pilot Protocol core (Java, compiled to WebAssembly GC by TeaVM) for JavaScript.
// Works in Cloudflare workerd (pass the imported WebAssembly.Module) and in Node.js 22+ (pass bytes).
// Byte arrays go in and come out as Uint8Array; failures are error codes or JSON, never exceptions.
import { load } from "./teavm-runtime.js";

/** ErrorCode names by numeric code (core-logic pilot.core.ErrorCode; codes never change). */
export const ErrorCodes = Object.freeze({
  1: "TRUNCATED", 2: "BAD_LENGTH", 3: "BAD_CHECKSUM", 4: "BAD_VERSION", 5: "BAD_MAGIC", 6: "BAD_ADDRESS",
  7: "NO_SESSION", 8: "REPLAY", 9: "TOO_OLD", 10: "AEAD_FAILED", 11: "SPOOFED_SOURCE", 12: "UNKNOWN_IDENTITY",
  13: "IDENTITY_MISMATCH", 14: "BAD_SIGNATURE", 15: "WEAK_KEY", 16: "RATE_LIMITED", 17: "TABLE_FULL",
  18: "STALE_KEY", 19: "INVALID_ARGUMENT", 20: "INVALID_STATE", 21: "REFUSED", 22: "STREAM_RESET",
  23: "TIMED_OUT", 24: "ABORTED", 25: "PEER_UNREACHABLE", 26: "LIMIT_REACHED", 27: "REPLY_INCOMPLETE",
});

/** NodeEvent kinds by numeric code (pilot.core.node.NodeEvent.Kind). */
export const EventKinds = Object.freeze({
  1: "PEER_UP", 2: "PEER_NEEDED", 3: "PEER_UNREACHABLE", 4: "STREAM_OPENED", 5: "STREAM_ACCEPTED",
  6: "STREAM_READABLE", 7: "STREAM_WRITABLE", 8: "STREAM_CLOSED", 9: "DATAGRAM", 10: "PONG", 11: "PING_TIMEOUT",
});

/** CloseMode order in the core: index = the number nodeCloseStreamMode takes. */
const CLOSE_MODES = Object.freeze(["half", "full", "after-reply"]);
const EVENT_HEADER = 26;

// TeaVM maps byte[] to Int8Array; a view (not a copy) over the caller's bytes is ~5x faster than Uint8Array.
function i8(u8) {
  if (u8 === null || u8 === undefined) return u8;
  if (u8 instanceof Int8Array) return u8;
  return new Int8Array(u8.buffer, u8.byteOffset, u8.byteLength);
}
function u8(a) {
  return a === null || a === undefined ? null : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
function addrText(network, node) {
  const h = (v) => (v >>> 0).toString(16).toUpperCase().padStart(4, "0");
  return `${network}:${h(network)}.${h(node >>> 16)}.${h(node & 0xffff)}`;
}

/** Decodes one polled event (layout: PilotWasm.nodePollEvent). */
export function decodeEvent(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hasPeer = (v.getUint8(1) & 1) === 1;
  const network = v.getUint16(6);
  const node = v.getUint32(8);
  const error = v.getUint16(24);
  return {
    kind: EventKinds[v.getUint8(0)] ?? `KIND_${v.getUint8(0)}`,
    stream: v.getInt32(2),
    peer: hasPeer ? { network, node, text: addrText(network, node) } : null,
    localPort: v.getUint16(12),
    remotePort: v.getUint16(14),
    value: Number(v.getBigInt64(16)),
    error: error === 0 ? null : (ErrorCodes[error] ?? `CODE_${error}`),
    data: bytes.length > EVENT_HEADER ? bytes.slice(EVENT_HEADER) : null,
  };
}

/** Decodes one polled transmit: {ip, port, datagram}. */
export function decodeTransmit(bytes) {
  const n = bytes[0];
  const ipBytes = bytes.subarray(1, 1 + n);
  const ip = n === 4 ? Array.from(ipBytes).join(".") : Array.from(ipBytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const port = (bytes[1 + n] << 8) | bytes[2 + n];
  return { ip, port, datagram: bytes.subarray(3 + n) };
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
    // envelope and replay window
    seal: (profile, key, prefix, counter, sender, packet) => u8(x.seal(profile, i8(key), i8(prefix), String(counter), sender, i8(packet))),
    open: (profile, key, frame) => j(x.open(profile, i8(key), i8(frame))),
    replayNew: () => x.replayNew(),
    replayCheck: (h, counter) => x.replayCheck(h, String(counter)),
    replayCommit: (h, counter) => x.replayCommit(h, String(counter)),
    // key exchange
    kxNew: (node, seed, entropySeed, profile) => x.kxNew(node, i8(seed), String(entropySeed), profile),
    kxTrust: (h, node, pub) => x.kxTrust(h, node, i8(pub)),
    kxStart: (h, peer, now) => u8(x.kxStart(h, peer, now)),
    kxOnAuth: (h, frame, source, now) => j(x.kxOnAuth(h, i8(frame), source, now)),
    kxSeal: (h, peer, packet) => u8(x.kxSeal(h, peer, i8(packet))),
    kxOpen: (h, frame, now) => j(x.kxOpen(h, i8(frame), now)),
    // node
    nodeNew: (o) => x.nodeNew(o.node, o.network ?? 0, i8(o.identitySeed), i8(o.entropy), o.profile ?? "modern", o.echo ?? true),
    nodeReseed: (h, bytes) => x.nodeReseed(h, i8(bytes)),
    nodeTrust: (h, peer, pub) => x.nodeTrust(h, peer, i8(pub)),
    nodeSetProfile: (h, peer, profile) => x.nodeSetProfile(h, peer, profile),
    nodeAddPeer: (h, peer, ip, port, now) => x.nodeAddPeer(h, peer, ip, port, now),
    nodePeerLookupFailed: (h, peer, now) => x.nodePeerLookupFailed(h, peer, now),
    nodeRehandshake: (h, peer, now) => x.nodeRehandshake(h, peer, now),
    nodeHandleDatagram: (h, ip, port, datagram, now) => x.nodeHandleDatagram(h, ip, port, i8(datagram), now),
    nodePollTransmit: (h) => { const t = x.nodePollTransmit(h); return t === null ? null : decodeTransmit(u8(t)); },
    nodePollEvent: (h) => { const e = x.nodePollEvent(h); return e === null ? null : decodeEvent(u8(e)); },
    nodeNextDeadline: (h) => { const d = x.nodeNextDeadline(h); return d < 0 ? null : d; },
    nodeHandleTimeout: (h, now) => x.nodeHandleTimeout(h, now),
    nodeListen: (h, port) => x.nodeListen(h, port),
    nodeOpenStream: (h, network, node, port, now) => x.nodeOpenStream(h, network, node, port, now),
    nodeWrite: (h, stream, data, now) => x.nodeWrite(h, stream, i8(data), now),
    nodeRead: (h, stream, max, now) => u8(x.nodeRead(h, stream, max, now)),
    nodeAtEof: (h, stream) => x.nodeAtEof(h, stream),
    nodeCloseStream: (h, stream, now) => x.nodeCloseStream(h, stream, now),
    nodeAbortStream: (h, stream, now) => x.nodeAbortStream(h, stream, now),
    nodeFlushStreams: (h, now) => x.nodeFlushStreams(h, now),
    nodeCloseStreamMode: (h, stream, mode, now) => x.nodeCloseStreamMode(h, stream, CLOSE_MODES.indexOf(mode), now),
    nodeExpectReply: (h, stream, reply, now) => x.nodeExpectReply(h, stream,
      reply.expect === "echo" ? -2 : reply.expect === undefined || reply.expect === null ? -1 : reply.expect,
      reply.maxAheadBytes ?? (reply.expect === "echo" ? 65536 : 0), reply.quietMs ?? 0, now),
    nodeSendDatagram: (h, network, node, port, data, now) => x.nodeSendDatagram(h, network, node, port, i8(data), now),
    nodePing: (h, network, node, now) => x.nodePing(h, network, node, now),
    nodeStats: (h) => j(x.nodeStats(h)),
    nodeAddress: (h) => x.nodeAddress(h),
    nodeHasSession: (h, peer) => x.nodeHasSession(h, peer),
  };
}

/**
 * Instantiates the core. `source`: a WebAssembly.Module (Workers: `import wasm from "./pilot-core.wasm"`),
 * or the module's bytes (Node.js: `readFileSync(new URL("./pilot-core.wasm", import.meta.url))`).
 */
export async function loadPilotCore(source) {
  let module = source;
  if (!(source instanceof WebAssembly.Module)) {
    // Node.js path only: Workers forbid compiling wasm at run time, so they must pass a Module.
    module = await WebAssembly.compile(source);
  }
  const teavm = await load(module);
  return wrap(teavm.exports);
}
