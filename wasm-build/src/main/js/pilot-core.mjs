// pilot-core: the Pilot Protocol node (Java core compiled to WebAssembly GC by TeaVM) for JavaScript.
// Works in Cloudflare workerd (pass the imported WebAssembly.Module) and in Node.js 22+ (pass bytes).
// This is the production module: only what a Worker needs (the conformance exports live in
// pilot-conformance.wasm). One error convention: a number >= 0 is a result, a negative one is minus an
// ErrorCode; byte arrays go in and come out as Uint8Array. Never throws on bad input.
// Per packet: one byte array crosses each way (endpoint bytes, no IP strings), and polls come in batches.
// The relay's message layout (ipLen ‖ ip ‖ port ‖ datagram, pilot.core.edge.RelayMessage) is the boundary's:
// nodeHandleRelayMessage takes a relay message as it came, and each transmit carries `message` to send as it is.
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

/** CloseMode order in the core: index = the number nodeCloseStream takes. */
const CLOSE_MODES = Object.freeze(["half", "full", "after-reply"]);
/** WireProfile order in the core. */
const PROFILES = Object.freeze(["modern", "feb2026"]);
const EVENT_HEADER = 26; // Layouts.EVENT_HEADER
/** Operation codes of NodeWasm.nodeOp (the calls that take and return only numbers). */
const OP = Object.freeze({ FREE: 0, LIVE_HANDLES: 1, LISTEN: 2, OPEN_STREAM: 3, CLOSE_STREAM: 4, ABORT_STREAM: 5, PING: 6,
  PEER_LOOKUP_FAILED: 7, HANDLE_TIMEOUT: 8, NEXT_DEADLINE: 9, HAS_SESSION: 10, AT_EOF: 11, FLUSH_STREAMS: 12,
  SET_PROFILE: 13, EXPECT_REPLY: 14, REHANDSHAKE: 15, SNAPSHOT_DUE: 16, PLATFORM_AEAD: 17,
  RESOLVE_NEEDED: 18, RESOLVE_NEXT: 19, RESOLVE_FAILED: 20, DEFER_AEAD: 32, COALESCE_ACKS: 33, STREAM_MSS: 34, HELD: 40 });
/** Kinds of the resolver's registry calls (NodeWasm OP_RESOLVE_NEXT: kind * 2^32 + peer). */
const RESOLVE_KINDS = Object.freeze([null, "lookup", "resolve"]);
const INVALID_ARGUMENT = -19;
const NO_SESSION = -7;
/** Parsed IP texts kept (Workers talk to few endpoints); the cache is emptied when it reaches this size. */
const IP_CACHE_MAX = 256;
const TWO_32 = 4294967296;

function isBytes(b) {
  return b instanceof Uint8Array || b instanceof Int8Array;
}
function hex4(v) {
  return (v >>> 0).toString(16).toUpperCase().padStart(4, "0");
}
/** The text form of an address (spec A.1), as Address.toString in the core writes it. */
export function addressText(network, node) {
  return `${network}:${hex4(network)}.${hex4(node >>> 16)}.${hex4(node & 0xffff)}`;
}
function errorName(code) {
  return ErrorCodes[code] ?? `CODE_${code}`;
}

// ---------------------------------------------------------------- endpoints as bytes

const ipBytesCache = new Map();
const ipTextCache = new Map();

/** Dotted IPv4, or the 32-hex-digit form decodeTransmit gives a 16-byte address; null otherwise. */
function parseIp(ip) {
  if (typeof ip !== "string") return null;
  if (/^[0-9a-fA-F]{32}$/.test(ip)) return Uint8Array.from(ip.match(/../g), (h) => parseInt(h, 16));
  const parts = ip.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^[0-9]{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}
function ipBytes(ip) {
  let b = ipBytesCache.get(ip);
  if (b === undefined) {
    b = parseIp(ip);
    if (ipBytesCache.size >= IP_CACHE_MAX) ipBytesCache.clear();
    ipBytesCache.set(ip, b);
  }
  return b;
}
function ipText(bytes, at, n) {
  if (n === 4) {
    const key = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
    let t = ipTextCache.get(key);
    if (t === undefined) {
      t = `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
      if (ipTextCache.size >= IP_CACHE_MAX) ipTextCache.clear();
      ipTextCache.set(key, t);
    }
    return t;
  }
  return Array.from(bytes.subarray(at, at + n), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Writes `ipLen ‖ ip ‖ port ‖ datagram` straight into the core's I/O region (one copy of the datagram);
 * its length, or -1 when the endpoint is malformed or memory is exhausted.
 */
function putEndpointMessage(io, ip, port, datagram) {
  const b = ip instanceof Uint8Array ? (ip.length === 4 || ip.length === 16 ? ip : null) : ipBytes(ip);
  if (b === null || !Number.isInteger(port) || port < 1 || port > 0xffff) return -1;
  if (datagram !== null && !isBytes(datagram)) return -1;
  const n = 3 + b.length + (datagram ? datagram.length : 0);
  const at = io.reserve(n);
  if (at < 0) return -1;
  const m = io.mem();
  m[at] = b.length;
  m.set(b, at + 1);
  m[at + 1 + b.length] = port >>> 8;
  m[at + 2 + b.length] = port & 0xff;
  if (datagram) m.set(datagram, at + 3 + b.length);
  return n;
}

/**
 * The core's I/O region in linear memory (NodeWasm's Io): inputs are copied in with one `set`, outputs
 * out with one `slice`, no per-byte work in JavaScript or calls from wasm.
 */
function ioRegion(x, memory) {
  let view = new Uint8Array(0);
  const mem = () => (view.buffer === memory.buffer ? view : (view = new Uint8Array(memory.buffer)));
  return {
    mem,
    /** The region's address with room for n bytes, or -1. */
    reserve: (n) => x.nodeIo(n),
    /** Copies the arrays in one after another; their total length, or -1 (not bytes, or no memory). */
    put: (...arrays) => {
      let n = 0;
      for (const a of arrays) {
        if (!isBytes(a)) return -1;
        n += a.length;
      }
      const at = x.nodeIo(n);
      if (at < 0) return -1;
      const m = mem();
      let k = at;
      for (const a of arrays) {
        m.set(a instanceof Int8Array ? new Uint8Array(a.buffer, a.byteOffset, a.byteLength) : a, k);
        k += a.length;
      }
      return n;
    },
    /** A copy of an export's byte result of length n (n < 0: none, null). */
    take: (n) => {
      if (n < 0) return null;
      const at = x.nodeIo(0);
      return mem().slice(at, at + n);
    },
  };
}

// ---------------------------------------------------------------- crypto from the platform

/**
 * Keys the platform crypto holds at once as KeyObjects (AES-GCM session keys and Ed25519 signing keys, all
 * nodes of this instance together). Beyond it the oldest is dropped; the core imports a dropped key again
 * on its next use (PlatformAead.UNKNOWN_KEY), so the bound costs a re-import, never a wrong result.
 * A session holds one key, a node one signing key plus at most a few per peer.
 */
export const PLATFORM_KEYS_MAX = 4096;
/** The former name of PLATFORM_KEYS_MAX (the table once held AES-GCM keys only). */
export const AEAD_KEYS_MAX = PLATFORM_KEYS_MAX;
/**
 * Peer Ed25519 public keys kept as KeyObjects for verification (per isolate); the cache is emptied when it
 * reaches this size, so it costs a re-import, never a wrong answer. Public keys only: nothing secret.
 */
export const VERIFY_KEYS_MAX = 1024;
const AEAD_NONCE = 12;
const AEAD_TAG = 16;
/** DER prefixes that make a raw 32-byte key a PKCS#8 private or SPKI public key (RFC 8410). */
const ED25519_PKCS8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
const X25519_PKCS8 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);
const ED25519_SPKI = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);
/** What the core calls on node:crypto; a runtime without all of them cannot run pilot-core.wasm. */
const NODE_CRYPTO_FUNCTIONS = Object.freeze(["createSecretKey", "createCipheriv", "createDecipheriv", "createPrivateKey",
  "createPublicKey", "sign", "verify", "hkdfSync", "createHash"]);

/**
 * loadPilotCore's refusal when the runtime has no node:crypto: in a Worker, the `nodejs_compat`
 * compatibility flag is missing. `code` is "NODEJS_COMPAT_REQUIRED".
 */
export class PlatformCryptoError extends Error {
  constructor(message) {
    super(message);
    this.name = "PlatformCryptoError";
    this.code = "NODEJS_COMPAT_REQUIRED";
  }
}

/** The names of NODE_CRYPTO_FUNCTIONS that `nc` lacks (all of them for null). */
function missingFunctions(nc) {
  return NODE_CRYPTO_FUNCTIONS.filter((f) => typeof nc?.[f] !== "function");
}

/** node:crypto when the runtime has it without an import statement (Node.js, Workers with nodejs_compat). */
function builtinNodeCrypto() {
  try {
    const c = globalThis.process?.getBuiltinModule?.("node:crypto");
    return c && missingFunctions(c).length === 0 ? c : null;
  } catch {
    return null;
  }
}

/** The 32 bytes of a 43-character unpadded base64url text (a JWK's `x`). */
function base64url32(text) {
  const out = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length && n < 32; i++) {
    const c = text.charCodeAt(i);
    const v = c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : c === 45 ? 62 : 63;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/**
 * The imports PlatformSuite and PlatformAead (wasm-build) call: AES-256-GCM, Ed25519, the X25519 public key,
 * HKDF-SHA256 and SHA-256 by node:crypto's native code, inputs read from and outputs written to one region
 * of the module's linear memory (one copy each way). Keys live as KeyObjects in one table bounded by
 * `maxKeys`. `nc` null: cryptoAvailable() answers 0 (only the conformance module, which then keeps
 * Bouncy Castle, runs that way). Never throws into wasm: -3 is a host failure, -2 an evicted key.
 */
function cryptoImports(nc, memory, maxKeys = PLATFORM_KEYS_MAX, maxVerifyKeys = VERIFY_KEYS_MAX) {
  maxKeys = Math.max(1, Math.floor(maxKeys) || 1);
  maxVerifyKeys = Math.max(1, Math.floor(maxVerifyKeys) || 1);
  const keys = new Map();
  let next = 1;
  let view = new Uint8Array(0);
  const mem = () => (view.buffer === memory.buffer ? view : (view = new Uint8Array(memory.buffer)));
  const der = (prefix, m, at) => {
    const b = new Uint8Array(prefix.length + 32);
    b.set(prefix);
    b.set(m.subarray(at, at + 32), prefix.length);
    return b;
  };
  // Ed25519 keys by the SHA-256 of their seed (never the seed itself), and their public keys; both only for
  // handles in `keys`, so they share its bound
  const signers = new Map();
  const publics = new Map();
  const signerOf = new Map();
  const keep = (key, signer = null, pub = null) => {
    while (keys.size >= maxKeys) {
      const old = keys.keys().next().value;
      keys.delete(old);
      publics.delete(old);
      if (signerOf.has(old)) signers.delete(signerOf.get(old));
      signerOf.delete(old);
    }
    const h = next;
    next = next >= 0x7fffffff ? 1 : next + 1;
    keys.set(h, key);
    if (signer !== null) {
      signerOf.set(h, signer);
      publics.set(h, pub);
    }
    return h;
  };
  /** SHA-256 as a Buffer: the one-shot `hash` where the runtime has it (Node 21.7+, workerd), ~2.5x cheaper per call. */
  const digest = typeof nc?.hash === "function"
    ? (b) => nc.hash("sha256", b, "buffer")
    : (b) => nc.createHash("sha256").update(b).digest();
  /** Peer Ed25519 public keys as KeyObjects, by their bytes; emptied when it reaches VERIFY_KEYS_MAX. */
  const verifiers = new Map();
  /** The raw public key of a private KeyObject: its JWK's `x` (cheaper than exporting an SPKI). */
  const rawPublic = (priv) => base64url32(priv.export({ format: "jwk" }).x);
  return {
    keyCount: () => keys.size,
    verifyKeyCount: () => verifiers.size,
    imports: {
      cryptoAvailable: () => (nc === null ? 0 : 1),
      aeadKey: (at) => {
        if (nc === null) return -1;
        try {
          return keep(nc.createSecretKey(mem().slice(at, at + 32)));
        } catch {
          return -1;
        }
      },
      aeadRun: (open, h, at, aadLen, n) => {
        const key = keys.get(h);
        if (key === undefined) return -2; // evicted: the core imports it again
        try {
          const m = mem();
          const nonce = m.subarray(at, at + AEAD_NONCE);
          const aad = m.subarray(at + AEAD_NONCE, at + AEAD_NONCE + aadLen);
          const input = at + AEAD_NONCE + aadLen;
          if (open === 0) {
            const c = nc.createCipheriv("aes-256-gcm", key, nonce);
            c.setAAD(aad);
            const ct = c.update(m.subarray(input, input + n));
            const rest = c.final();
            const tag = c.getAuthTag();
            m.set(ct, at);
            m.set(rest, at + ct.length);
            m.set(tag, at + ct.length + rest.length);
            return ct.length + rest.length + tag.length;
          }
          if (n < AEAD_TAG) return -1;
          const d = nc.createDecipheriv("aes-256-gcm", key, nonce);
          d.setAAD(aad);
          d.setAuthTag(m.slice(input + n - AEAD_TAG, input + n));
          const pt = d.update(m.subarray(input, input + n - AEAD_TAG));
          let rest;
          try {
            rest = d.final();
          } catch {
            return -1; // the tag did not verify
          }
          m.set(pt, at);
          m.set(rest, at + pt.length);
          return pt.length + rest.length;
        } catch {
          return -3; // a platform failure
        }
      },
      edKey: (at) => {
        if (nc === null) return -3;
        try {
          const seed = mem().subarray(at, at + 32);
          // one KeyObject per seed: the node's identity and every ed25519Sign with it share it
          const id = digest(seed).toString("base64");
          let h = signers.get(id);
          if (h === undefined || !keys.has(h)) {
            const key = nc.createPrivateKey({ key: der(ED25519_PKCS8, mem(), at), format: "der", type: "pkcs8" });
            h = keep(key, id, rawPublic(key));
            signers.set(id, h);
          }
          mem().set(publics.get(h), at);
          return h;
        } catch {
          return -3;
        }
      },
      edSign: (h, at, n) => {
        const key = keys.get(h);
        if (key === undefined) return -2; // evicted: the core imports it again
        try {
          const sig = nc.sign(null, mem().subarray(at, at + n), key);
          if (sig.length !== 64) return -3;
          mem().set(sig, at);
          return 64;
        } catch {
          return -3;
        }
      },
      edVerify: (at, n) => {
        if (nc === null) return -3;
        const m = mem();
        const id = String.fromCharCode(...m.subarray(at, at + 32));
        let key = verifiers.get(id);
        if (key === undefined) {
          try {
            key = nc.createPublicKey({ key: der(ED25519_SPKI, m, at), format: "der", type: "spki" });
          } catch {
            return 0; // not a key
          }
          if (verifiers.size >= maxVerifyKeys) verifiers.clear();
          verifiers.set(id, key);
        }
        try {
          return nc.verify(null, m.subarray(at + 96, at + 96 + n), key, m.subarray(at + 32, at + 96)) ? 1 : 0;
        } catch {
          return 0; // a malformed signature
        }
      },
      x25519Public: (at) => {
        if (nc === null) return -3;
        try {
          const m = mem();
          const raw = rawPublic(nc.createPrivateKey({ key: der(X25519_PKCS8, m, at), format: "der", type: "pkcs8" }));
          mem().set(raw, at);
          return 32;
        } catch {
          return -3;
        }
      },
      hkdf: (at, ikmLen, saltLen, infoLen, length) => {
        if (nc === null) return -3;
        try {
          const m = mem();
          const salt = at + ikmLen;
          const info = salt + saltLen;
          const out = new Uint8Array(nc.hkdfSync("sha256", m.slice(at, salt), m.slice(salt, info), m.slice(info, info + infoLen), length));
          mem().set(out, at);
          return out.length;
        } catch {
          return -3;
        }
      },
      sha256: (at, n) => {
        if (nc === null) return -3;
        try {
          const d = digest(mem().subarray(at, at + n));
          mem().set(d, at);
          return 32;
        } catch {
          return -3;
        }
      },
    },
  };
}

/**
 * Gives a TeaVM instance's import object the platform crypto. `option`: left out, node:crypto as the runtime
 * offers it; `false`: none; or a node:crypto-like object (tests). Used by loadPilotCore and by
 * pilot-conformance.mjs, so the vectors run through the same code.
 */
export function installCrypto(importObj, option, maxKeys, maxVerifyKeys) {
  const c = cryptoImports(option === false ? null : option ?? builtinNodeCrypto(), importObj.env.memory, maxKeys, maxVerifyKeys);
  importObj.pilot = c.imports;
  return c;
}

// ---------------------------------------------------------------- batch layouts

const peerTexts = new Map();
/** addressText for event peers, cached (bounded like the IP caches: emptied when it reaches IP_CACHE_MAX). */
function peerText(network, node) {
  const key = network * TWO_32 + node;
  let t = peerTexts.get(key);
  if (t === undefined) {
    t = addressText(network, node);
    if (peerTexts.size >= IP_CACHE_MAX) peerTexts.clear();
    peerTexts.set(key, t);
  }
  return t;
}

/** Decodes one event record at `at` of `len` bytes (layout: Layouts.event in wasm-build). */
function decodeEventAt(bytes, at, len, plains = undefined) {
  const v = new DataView(bytes.buffer, bytes.byteOffset + at, len);
  let data = len > EVENT_HEADER ? bytes.subarray(at + EVENT_HEADER, at + len) : null;
  if ((v.getUint8(1) & HELD_EVENT) !== 0) {
    // the payload is the kept plaintext's (HELD_PAYLOADS_MAX), released here; an id not kept gives no data
    const id = len === EVENT_HEADER + 4 ? v.getUint32(EVENT_HEADER) : 0;
    const p = plains?.get(id);
    plains?.delete(id);
    data = p === undefined ? null : p.subarray(PACKET_HEADER);
  }
  const hasPeer = (v.getUint8(1) & 1) === 1;
  const network = v.getUint16(6);
  const node = v.getUint32(8);
  const error = v.getUint16(24);
  return {
    kind: EventKinds[v.getUint8(0)] ?? `KIND_${v.getUint8(0)}`,
    stream: v.getInt32(2),
    peer: hasPeer ? { network, node, text: peerText(network, node) } : null,
    localPort: v.getUint16(12),
    remotePort: v.getUint16(14),
    value: v.getInt32(16) * TWO_32 + v.getUint32(20), // = Number(getBigInt64(16)), one rounding, without a BigInt per event
    error: error === 0 ? null : errorName(error),
    // a view of the poll's own copy (one per batch, nothing else writes it), or of the kept plaintext: no second copy
    data,
  };
}

/** Decodes one event (the record without its length prefix). */
export function decodeEvent(bytes) {
  return decodeEventAt(bytes, 0, bytes.length);
}

/** Decodes one transmit, `ipLen ‖ ip ‖ port ‖ datagram`: {ip, port, datagram (a view)}. */
function decodeTransmitAt(bytes, at, len) {
  const n = bytes[at];
  return { ip: ipText(bytes, at + 1, n), port: (bytes[at + 1 + n] << 8) | bytes[at + 2 + n], datagram: bytes.subarray(at + 3 + n, at + len),
    message: bytes.subarray(at, at + len) };
}

export function decodeTransmit(bytes) {
  return decodeTransmitAt(bytes, 0, bytes.length);
}

/**
 * Splits a batch of transmits, `length(4) ‖ record`, into decoded records. A length with the top bit set
 * (CryptoBatch.HELD_RECORD) ends with a seal's id instead of the frame's ciphertext, which `kept` holds (it
 * never went back into the core): the record before the id, followed by that ciphertext, is the message.
 * The messages of such records share one new buffer (one allocation per batch, not per packet).
 */
function decodeTransmits(bytes, kept) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let extra = 0;
  for (let at = 0; at + 4 <= bytes.length;) {
    const word = v.getUint32(at);
    const len = word & 0x7fffffff;
    if (word !== len) extra += len - 4 + (kept?.get(v.getUint32(at + len))?.length ?? 0);
    at += 4 + len;
  }
  if (extra === 0) return decodeBatch(bytes, decodeTransmitAt);
  const out = [];
  const joined = new Uint8Array(extra);
  let j = 0;
  for (let at = 0; at + 4 <= bytes.length;) {
    const word = v.getUint32(at);
    const len = word & 0x7fffffff;
    at += 4;
    if (word === len) {
      out.push(decodeTransmitAt(bytes, at, len));
    } else {
      const id = v.getUint32(at + len - 4);
      const ct = kept.get(id); // always there: the core names only ciphertexts this wrapper kept
      kept.delete(id);
      const head = len - 4;
      joined.set(bytes.subarray(at, at + head), j);
      if (ct) joined.set(ct, j + head);
      const n = head + (ct ? ct.length : 0);
      out.push(decodeTransmitAt(joined, j, n));
      j += n;
    }
    at += len;
  }
  return out;
}

/** Splits a batch of `length(4) ‖ record` into decoded records. */
function decodeBatch(bytes, decode) {
  const out = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length;) {
    const len = v.getUint32(at);
    out.push(decode(bytes, at + 4, len));
    at += 4 + len;
  }
  return out;
}

// ---------------------------------------------------------------- the AEAD as an effect (NodeWasm.nodeCrypto)

/** Request kinds of a crypto batch (wasm-build CryptoBatch). */
export const CryptoKinds = Object.freeze({ KEY_INSTALL: 1, KEY_DROP: 2, SEAL: 3, OPEN: 4, SEAL_CHECKSUM: 5, OPEN_CHECKSUM: 6 });
/** Set in an open answer's length (wasm-build CryptoBatch.CHECKED): the plaintext's checksum matched. */
const ANSWER_CHECKED = 0x40000000;
/** CryptoBatch.HOLD: on a request's kind, a seal whose ciphertext may stay here, or an open of a frame kept here. */
const HOLD = 0x80;
/** CryptoBatch.HELD: a seal's answer "the wrapper keeps the ciphertext". */
const ANSWER_HELD = 0xfffffffe;
/** CryptoBatch.REFILL: a failed held open's answer carries the frame's ciphertext ‖ tag (the node may ask again). */
const ANSWER_REFILL = 0x20000000;
/** PILS magic and the frame's header before its ciphertext (SealedFrame.OVERHEAD: magic, sender, nonce). */
const PILS = 0x50494c53;
const SEALED_OVERHEAD = 20;
/**
 * Seal ciphertexts the wrapper keeps per node at most (HeldSeals.MAX in the core, which never flags more): from a
 * seal's answer until its frame is polled as a transmit. Beyond it a seal is answered with its bytes, as before.
 */
export const HELD_SEALS_MAX = 256;
/**
 * Received PILS frames the wrapper keeps per node at most (= MAX_CRYPTO_IN_FLIGHT): from
 * nodeHandleRelayMessage until the node's open request for it is answered; only the frame's header crosses into
 * the core. Beyond it a frame crosses whole, as before. Each entry is the caller's message (not copied).
 */
export const HELD_FRAMES_MAX = 256;
/**
 * Opened datagrams whose plaintext the wrapper keeps per node at most (HeldPayloads.MAX in the core, which refuses
 * a batch with more): from the open's answer, which then carries the packet's header and the plaintext's length
 * only (CryptoBatch.PAYLOAD), until the datagram event it queued is polled (its data a view of that plaintext) or
 * the core says no event came of it. Beyond it the plaintext crosses whole, as before.
 */
export const HELD_PAYLOADS_MAX = 256;
/**
 * Datagrams sent whose payload the wrapper keeps per node at most (a node with deferred AEAD and checksums): from
 * nodeSendDatagram, which then hands the core only the payload's length (it seals at once, or refuses and the bytes
 * cross as before), until the seal request naming it is polled (CryptoBatch.HOST_PAYLOAD: the packet's header and
 * the reference cross, the wrapper puts the header before the payload). Beyond it the payload crosses, as before.
 */
export const HELD_SENDS_MAX = 256;
/**
 * The slab sent payloads are copied into (many per allocation); one above an eighth of it crosses into the core as
 * before, so a slab wastes at most that at its end and the held payloads of a node hold at most ~2.3 MiB of slabs.
 */
const SEND_SLAB_BYTES = 65536;
/** CryptoBatch.HOST_PAYLOAD: on a seal's kind, its data is `header(34) ‖ reference(4)`, the payload kept here. */
const HOST_PAYLOAD = 0x40;
/** CryptoBatch.PAYLOAD, with ANSWER_CHECKED: an open's answer of `plainLen(4) ‖ header(34)`, its payload kept here. */
const ANSWER_PAYLOAD = 0x10000000;
/** NodeWasm.HELD_EVENT in an event's flags byte: its data is the id of the answer whose plaintext is kept here. */
const HELD_EVENT = 2;
const PROTO_DATAGRAM = 2;
const PACKET_HEADER = 34;
const PACKET_CHECKSUM_AT = 30;

/** node:zlib's crc32 when the runtime has it (Node.js 22.2+, Workers with nodejs_compat), else null. */
function builtinCrc32() {
  try {
    const z = globalThis.process?.getBuiltinModule?.("node:zlib");
    return typeof z?.crc32 === "function" ? z.crc32 : null;
  } catch {
    return null;
  }
}

/**
 * The packet checksum (spec B.2) on the host's CRC-32, for nodes that defer it (nodeDeferAead with checksum):
 * `fill` writes it into a packet whose field is zero (a SEAL_CHECKSUM request's data, before sealing), `matches`
 * says whether an opened packet carries a matching one (false when too short to tell: the core refuses it anyway).
 */
function packetChecksum(crc32) {
  return {
    fill: (p) => {
      const c = crc32(p);
      p[PACKET_CHECKSUM_AT] = c >>> 24; p[PACKET_CHECKSUM_AT + 1] = c >>> 16; p[PACKET_CHECKSUM_AT + 2] = c >>> 8; p[PACKET_CHECKSUM_AT + 3] = c;
    },
    matches: (p) => {
      if (p.length < PACKET_HEADER) return false;
      const len = PACKET_HEADER + ((p[2] << 8) | p[3]);
      if (len > p.length) return false;
      const at = PACKET_CHECKSUM_AT;
      const stored = ((p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]) >>> 0;
      const b0 = p[at]; const b1 = p[at + 1]; const b2 = p[at + 2]; const b3 = p[at + 3];
      p[at] = 0; p[at + 1] = 0; p[at + 2] = 0; p[at + 3] = 0; // the field reads as zero (spec B.2), restored below
      const c = crc32(p.subarray(0, len)) >>> 0;
      p[at] = b0; p[at + 1] = b1; p[at + 2] = b2; p[at + 3] = b3;
      return c === stored;
    },
  };
}

/**
 * Splits a batch of crypto requests, `kind(1) ‖ id(4) ‖ keyId(4) ‖ len(4) ‖ [nonce(12) ‖ aadLen(1) ‖ aad] ‖ data`,
 * into records whose byte fields are views of the one copy.
 */
function decodeCryptoBatch(b, st) {
  const out = [];
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at + 13 <= b.length;) {
    const flags = b[at];
    const kind = flags & ~(HOLD | HOST_PAYLOAD);
    const hold = (flags & HOLD) !== 0;
    const id = v.getUint32(at + 1);
    const keyId = v.getUint32(at + 5);
    const len = v.getUint32(at + 9);
    at += 13;
    let nonce = null;
    let aad = null;
    if (kind >= CryptoKinds.SEAL && kind <= CryptoKinds.OPEN_CHECKSUM) {
      nonce = b.subarray(at, at + 12);
      const aadLen = b[at + 12];
      aad = b.subarray(at + 13, at + 13 + aadLen);
      at += 13 + aadLen;
    }
    const seal = kind === CryptoKinds.SEAL || kind === CryptoKinds.SEAL_CHECKSUM;
    if (hold && !seal) {
      // an open of a frame kept here: the wrapper's reference crossed, not the bytes
      const ref = v.getUint32(at);
      at += 4;
      const f = st?.frames.get(ref);
      let data = EMPTY; // a reference this wrapper does not hold (never made by it) opens nothing
      if (f !== undefined && f.bytes.length - f.at === len) {
        data = f.bytes.subarray(f.at);
        st.refOf.set(id, ref);
      }
      out.push({ kind, id, keyId, nonce, aad, data });
      continue;
    }
    if (hold && st) st.holdable.add(id);
    if ((flags & HOST_PAYLOAD) !== 0) {
      // a datagram whose payload stayed here: seals are asked in the order of the sends, so the ones before it were
      // never asked (their frames dropped) and go; a reference this wrapper does not hold seals nothing (null)
      const ref = v.getUint32(at + PACKET_HEADER);
      const q = st?.sends ?? [];
      while (q.length > 0 && q[0].ref !== ref) q.shift();
      const data = q.length > 0 && q[0].pt.length === len ? q.shift().pt : null;
      data?.set(b.subarray(at, at + PACKET_HEADER));
      if (data === null) st?.holdable.delete(id); // answered null: nothing to keep
      out.push({ kind, id, keyId, nonce, aad, data });
      at += PACKET_HEADER + 4;
    } else {
      out.push({ kind, id, keyId, nonce, aad, data: b.subarray(at, at + len) });
      at += len;
    }
  }
  return out;
}
const EMPTY = new Uint8Array(0);

/**
 * Runs a node's crypto requests with WebCrypto (`crypto.subtle`): imports each session's key once (AES-GCM,
 * raw, not extractable) and forgets it when the node drops it; one batch is one `Promise.all` of
 * encrypt/decrypt calls and one crossing back. `step(h, now)` answers one batch and resolves to the number of
 * seals and opens answered (0 when the node asked nothing; a batch of only key changes counts 1); `now` is a
 * function, read after the cipher ran. One step at a time per node: the caller awaits it before the next.
 * A failed import, a tag that does not verify or any other error answers "no output"; never rejects.
 */
export function webCryptoRunner(core, subtle = globalThis.crypto?.subtle) {
  const keys = new Map(); // handle -> Map(keyId -> { ready: Promise<CryptoKey>, key: CryptoKey | null })
  const algo = (r) => ({ name: "AES-GCM", iv: r.nonce, additionalData: r.aad });
  const bytes = (b) => new Uint8Array(b);
  const none = () => null;
  const run = (seal, key, r) => (seal ? subtle.encrypt(algo(r), key, r.data) : subtle.decrypt(algo(r), key, r.data)).then(bytes, none);
  const sum = core.checksum; // present when the core can defer checksums (node:zlib's crc32)
  return {
    /** Keys held for all nodes (each node's are bounded by its peer table: its installs minus its drops). */
    keyCount: () => { let n = 0; for (const m of keys.values()) n += m.size; return n; },
    /** Forgets a freed node's keys. */
    forget: (h) => keys.delete(h),
    step: async (h, now) => {
      const batch = core.nodePollCrypto(h);
      if (batch === null) return 0;
      let ks = keys.get(h);
      if (ks === undefined) keys.set(h, (ks = new Map()));
      const ids = [];
      const work = [];
      let opensChecked = null; // indices of OPEN_CHECKSUM answers
      for (const r of batch) {
        if (r.kind === CryptoKinds.KEY_INSTALL) {
          const entry = { ready: null, key: null };
          entry.ready = subtle.importKey("raw", r.data, "AES-GCM", false, ["encrypt", "decrypt"]);
          entry.ready.then((k) => { entry.key = k; }, () => {}); // a failed import answers null where it is used
          ks.set(r.keyId, entry);
        } else if (r.kind === CryptoKinds.KEY_DROP) {
          ks.delete(r.keyId);
        } else {
          const e = ks.get(r.keyId);
          const seal = r.kind === CryptoKinds.SEAL || r.kind === CryptoKinds.SEAL_CHECKSUM;
          if (r.kind === CryptoKinds.SEAL_CHECKSUM && r.data !== null) sum.fill(r.data); // r.data is this batch's own copy
          if (r.kind === CryptoKinds.OPEN_CHECKSUM) (opensChecked ??= []).push(ids.length);
          ids.push(r.id);
          // an imported key is used at once; only the first requests under a new key wait for its import
          work.push(e === undefined || r.data === null ? null : e.key !== null ? run(seal, e.key, r) : e.ready.then((k) => run(seal, k, r), none));
        }
      }
      if (ids.length === 0) return 1;
      const outs = await Promise.all(work);
      let checked = null;
      if (opensChecked !== null) {
        checked = new Array(ids.length).fill(false);
        for (const i of opensChecked) checked[i] = outs[i] !== null && sum.matches(outs[i]);
      }
      core.nodeCryptoDone(h, ids, outs, now(), checked);
      return ids.length;
    },
  };
}

function decodeStats(b) {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dropped = {};
  for (let at = 40; at + 10 <= b.length; at += 10) dropped[errorName(v.getUint16(at))] = Number(v.getBigInt64(at + 2));
  return {
    address: addressText(v.getUint16(0), v.getUint32(4)),
    peers: v.getUint32(8),
    streams: v.getUint32(12),
    packets_in: Number(v.getBigInt64(16)),
    packets_out: Number(v.getBigInt64(24)),
    buffered_bytes: Number(v.getBigInt64(32)),
    dropped,
  };
}

/** Where withFullApi finds what a loaded core's methods share (not part of the API). */
const INNER = Symbol();

/**
 * The node API beyond what a Worker's PilotPeer calls (worker-shim), added to a loaded core and returned: direct
 * peers (trust, an endpoint, datagrams from an IP address), re-handshakes, counters and the raw exports. For tests,
 * benchmarks and Node.js hosts that drive nodes themselves; not in loadPilotCore's object, so a Worker's bundle does
 * not carry it (issue 15: the example Worker within 100 kB gzip).
 */
export function withFullApi(core) {
  if (core?.[INNER] === undefined) throw new TypeError("withFullApi takes a core from this module's loadPilotCore");
  const { x, io, op, platform, heldState, handleIn } = core[INNER];
  return Object.assign(core, {
    raw: x,
    version: () => "pilot-core 0.1.0",
    /** Where the core's crypto runs: always "node:crypto" (the module carries no other implementation). */
    aead: () => (op(OP.PLATFORM_AEAD, 0) === 1 ? "node:crypto" : "bouncy-castle"),
    /** Keys (AES-GCM and Ed25519 signing) the platform crypto holds now (bounded by PLATFORM_KEYS_MAX); for tests. */
    aeadKeyCount: () => platform.keyCount(),
    /** Peer public keys the verification cache holds now (bounded by VERIFY_KEYS_MAX); for tests. */
    verifyKeyCount: () => platform.verifyKeyCount(),
    /** Entries in the parsed-IP caches (bounded by IP_CACHE_MAX each); for tests. */
    ipCacheSize: () => Math.max(ipBytesCache.size, ipTextCache.size, peerTexts.size),
    /** Copies bytes into the I/O region (what every wrapper call does first); for tests of the raw exports. */
    ioPut: (...arrays) => io.put(...arrays),
    liveHandles: () => op(OP.LIVE_HANDLES, 0),
    nodeTrust: (h, peer, pub) => (io.put(pub) < 0 ? INVALID_ARGUMENT : x.nodeTrust(h, peer, pub.length, 0, 0)),
    nodeSetProfile: (h, peer, profile) => op(OP.SET_PROFILE, h, peer, PROFILES.indexOf(profile)),
    nodeAddPeer: (h, peer, ip, port, now) => {
      const n = putEndpointMessage(io, ip, port, null);
      return n < 0 ? INVALID_ARGUMENT : x.nodeAddPeer(h, peer, n, 0, now);
    },
    nodePeerLookupFailed: (h, peer, now) => op(OP.PEER_LOOKUP_FAILED, h, peer, 0, 0, 0, 0, now),
    nodeRehandshake: (h, peer, now) => op(OP.REHANDSHAKE, h, peer, 0, 0, 0, 0, now) === 1,
    nodeHandleDatagram: (h, ip, port, d, now) => {
      if (!isBytes(d)) return INVALID_ARGUMENT;
      const b = ip instanceof Uint8Array ? ip : ipBytes(ip);
      return handleIn(h, 3 + (b ? b.length : 0) + d.length, 0, d, (held) => putEndpointMessage(io, ip, port, held ? d.subarray(0, SEALED_OVERHEAD) : d), now);
    },
    nodeCloseStream: (h, stream, now) => op(OP.CLOSE_STREAM, h, stream, 0, 0, 0, 0, now),
    /**
     * Bytes kept out of the core now, for tests: seals whose ciphertext stays here (`seals` as the core counts them,
     * `kept` held here; at most HELD_SEALS_MAX), received frames (`frames` held here, at most HELD_FRAMES_MAX) and
     * opened datagrams' plaintexts (`payloads`, at most HELD_PAYLOADS_MAX), sent datagrams' payloads (`sends`, HELD_SENDS_MAX).
     */
    nodeHeld: (h) => {
      const st = heldState.get(h);
      return { seals: op(OP.HELD, h), kept: st?.kept.size ?? 0, frames: st?.frames.size ?? 0, payloads: st?.plains.size ?? 0, sends: st?.sends.length ?? 0 };
    },
    nodeHasSession: (h, peer) => op(OP.HAS_SESSION, h, peer) === 1,
  });
}

function wrap(exports, platform, memory, crc32) {
  const checksum = crc32 === null ? null : packetChecksum(crc32);
  // TeaVM exposes each export through a getter that reads a WebAssembly.Global on every access; the
  // functions never change, so they are read once here.
  const x = {};
  for (const k of Object.getOwnPropertyNames(exports)) x[k] = exports[k];
  const io = ioRegion(x, memory);
  // per node handle: the rest of the last polled batches, and the node's address text
  const pending = new Map();
  const addresses = new Map();
  // per node handle with deferred AEAD: bytes kept out of the core (HELD_SEALS_MAX, HELD_FRAMES_MAX). `holdable`:
  // ids of seals whose ciphertext may stay; `kept`: seal id -> ciphertext until its frame is polled; `frames`:
  // reference -> { bytes, at } (a received frame, its ciphertext from `at`) until its open is answered; `refOf`:
  // open id -> reference
  const heldState = new Map();
  const poll = (h, key, fetch, decode) => {
    let q = pending.get(h);
    if (q === undefined || q[key].at >= q[key].items.length) {
      const b = fetch(h);
      if (b === null) return null;
      if (q === undefined) {
        q = { tx: { items: [], at: 0 }, ev: { items: [], at: 0 } };
        pending.set(h, q);
      }
      q[key] = { items: decode === null ? decodeTransmits(b, heldState.get(h)?.kept) : decodeBatch(b, decode), at: 0 };
    }
    return q[key].items[q[key].at++] ?? null;
  };
  const op = (code, h, a = 0, b = 0, c = 0, p = 0, q = 0, now = 0) => x.nodeOp(code, h, a, b, c, p, q, now);
  /**
   * A received datagram into the core. A PILS frame of a node with deferred AEAD stays here (HELD_FRAMES_MAX):
   * only `message` up to the frame's header crosses (`put` writes it: its length, or -1), and the node's open
   * request names it; `bytes` / `at`: where the frame's ciphertext lies in the caller's array (kept, not copied).
   */
  const handleIn = (h, full, frameAt, bytes, put, now) => {
    const st = heldState.get(h);
    if (st !== undefined && st.frames.size < HELD_FRAMES_MAX && bytes.length - frameAt >= SEALED_OVERHEAD + AEAD_TAG
        && ((bytes[frameAt] << 24) | (bytes[frameAt + 1] << 16) | (bytes[frameAt + 2] << 8) | bytes[frameAt + 3]) === PILS) {
      let ref = st.nextRef;
      while (st.frames.has(ref)) ref = ref >= 0x7fffffff ? 1 : ref + 1;
      st.nextRef = ref >= 0x7fffffff ? 1 : ref + 1;
      const n = put(true);
      if (n < 0) return INVALID_ARGUMENT;
      const r = x.nodeHandleDatagram(h, n, now, ref, full);
      if (r === 1) st.frames.set(ref, { bytes, at: frameAt + SEALED_OVERHEAD });
      return r < 0 ? r : 0;
    }
    const n = put(false);
    return n < 0 ? INVALID_ARGUMENT : x.nodeHandleDatagram(h, n, now, 0, 0);
  };
  const api = {
    errorName: (code) => ErrorCodes[code] ?? "UNKNOWN",
    free: (h) => { pending.delete(h); addresses.delete(h); heldState.delete(h); op(OP.FREE, h); },
    addressParse: (text) => {
      const v = x.addressParse(String(text));
      if (v < 0) return { ok: false, error: errorName(-v), error_code: -v };
      const network = Math.floor(v / TWO_32);
      const node = v - network * TWO_32;
      return { ok: true, error: null, error_code: null, network, node, canonical: addressText(network, node) };
    },
    ed25519Public: (seed) => (isBytes(seed) && seed.length === 32 && io.put(seed) >= 0 ? io.take(x.ed25519Public()) : null),
    ed25519Sign: (seed, msg) => (isBytes(seed) && seed.length === 32 && io.put(seed, msg) >= 0 ? io.take(x.ed25519Sign(msg.length)) : null),
    ed25519Verify: (key, msg, sig) => io.put(key, msg, sig) >= 0 && x.ed25519Verify(key.length, msg.length, sig.length) === 1,
    // node
    nodeNew: (o) => {
      const profile = PROFILES.indexOf(o.profile ?? "modern");
      const network = o.network ?? 0;
      if (io.put(o.identitySeed, o.entropy) < 0) return INVALID_ARGUMENT;
      const h = x.nodeNew(o.node, network, o.identitySeed.length, o.entropy.length, profile, o.echo ?? true, o.streamMss ?? 0);
      if (h > 0) addresses.set(h, addressText(network, o.node >>> 0));
      return h;
    },
    // the core's lookup → pin → resolve policy (PeerResolver): the host makes the registry calls it asks for
    resolverNeeded: (h, peer, rehandshake, now) => op(OP.RESOLVE_NEEDED, h, peer, rehandshake ? 1 : 0, 0, 0, 0, now),
    resolverPoll: (h) => {
      const v = op(OP.RESOLVE_NEXT, h);
      if (v < 0) return null;
      const kind = Math.floor(v / TWO_32);
      return { kind: RESOLVE_KINDS[kind], node: v - kind * TWO_32 };
    },
    resolverLookedUp: (h, peer, pub, now) => (io.put(pub) < 0 ? INVALID_ARGUMENT : x.nodeTrust(h, peer, pub.length, 1, now)),
    resolverResolved: (h, peer, ip, port, now) => {
      const n = putEndpointMessage(io, ip, port, null);
      return n < 0 ? INVALID_ARGUMENT : x.nodeAddPeer(h, peer, n, 1, now);
    },
    resolverFailed: (h, peer, unknown, now) => op(OP.RESOLVE_FAILED, h, peer, unknown ? 1 : 0, 0, 0, 0, now),
    nodeHandleRelayMessage: (h, message, now) => {
      if (!(message instanceof Uint8Array) || message.length < 1) return io.put(message) < 0 ? INVALID_ARGUMENT : x.nodeHandleDatagram(h, message.length, now, 0, 0);
      return handleIn(h, message.length, 3 + message[0], message,
        (held) => io.put(held ? message.subarray(0, 3 + message[0] + SEALED_OVERHEAD) : message), now);
    },
    nodePollTransmit: (h) => poll(h, "tx", (k) => io.take(x.nodePollTransmits(k)), null),
    nodePollEvent: (h) => poll(h, "ev", (k) => io.take(x.nodePollEvents(k)), (b, at, len) => decodeEventAt(b, at, len, heldState.get(h)?.plains)),
    nodeNextDeadline: (h) => { const d = op(OP.NEXT_DEADLINE, h); return d < 0 ? null : d; },
    nodeHandleTimeout: (h, now) => op(OP.HANDLE_TIMEOUT, h, 0, 0, 0, 0, 0, now),
    nodeListen: (h, port) => op(OP.LISTEN, h, port),
    nodeOpenStream: (h, network, node, port, now) => op(OP.OPEN_STREAM, h, network, node, port, 0, 0, now),
    nodeWrite: (h, stream, data, now) => (io.put(data) < 0 ? INVALID_ARGUMENT : x.nodeWrite(h, stream, data.length, now)),
    nodeRead: (h, stream, max, now) => io.take(x.nodeRead(h, stream, max, now)),
    nodeAtEof: (h, stream) => op(OP.AT_EOF, h, stream) === 1,
    nodeAbortStream: (h, stream, now) => op(OP.ABORT_STREAM, h, stream, 0, 0, 0, 0, now),
    nodeFlushStreams: (h, now) => op(OP.FLUSH_STREAMS, h, 0, 0, 0, 0, 0, now) === 1,
    nodeCloseStreamMode: (h, stream, mode, now) => op(OP.CLOSE_STREAM, h, stream, CLOSE_MODES.indexOf(mode), 0, 0, 0, now),
    nodeExpectReply: (h, stream, reply, now) => op(OP.EXPECT_REPLY, h, stream, 0,
      reply.maxAheadBytes ?? (reply.expect === "echo" ? 65536 : 0),
      reply.expect === "echo" ? -2 : reply.expect === undefined || reply.expect === null ? -1 : reply.expect,
      reply.quietMs ?? 0, now),
    nodeSendDatagram: (h, network, node, port, data, now) => {
      const st = heldState.get(h);
      const need = PACKET_HEADER + data?.length;
      if (st?.sums && data instanceof Uint8Array && st.sends.length < HELD_SENDS_MAX && need <= SEND_SLAB_BYTES / 8) {
        // the payload stays here (HELD_SENDS_MAX), copied once behind room for the header the core makes, into a
        // slab shared by many sends (SEND_SLAB_BYTES: one allocation for dozens of packets, never written again
        // once a send's view is handed out, so a request's data stays valid as long as its holder keeps it)
        if (st.slab.length - st.slabAt < need) {
          st.slab = new Uint8Array(SEND_SLAB_BYTES);
          st.slabAt = 0;
        }
        const pt = st.slab.subarray(st.slabAt, (st.slabAt += need));
        pt.set(data, PACKET_HEADER);
        const ref = st.nextRef;
        st.nextRef = ref >= 0x7fffffff ? 1 : ref + 1;
        st.sends.push({ ref, pt });
        const r = x.nodeSendDatagram(h, network, node, port, data.length, now, ref);
        if (r >= 0) return r;
        st.sends.pop();
        st.slabAt -= need;
        if (r !== NO_SESSION) return r;
      }
      return io.put(data) < 0 ? INVALID_ARGUMENT : x.nodeSendDatagram(h, network, node, port, data.length, now, 0);
    },
    nodePing: (h, network, node, now) => op(OP.PING, h, network, node, 0, 0, 0, now),
    // the AEAD as an effect (a host whose cipher is asynchronous: WebCrypto); see webCryptoRunner
    nodeDeferAead: (h, options = {}) => {
      const sums = Boolean(options.checksum) && checksum !== null;
      const r = op(OP.DEFER_AEAD, h, sums ? 1 : 0);
      if (r === 0 && !heldState.has(h)) heldState.set(h, { holdable: new Set(), kept: new Map(), frames: new Map(), refOf: new Map(), nextRef: 1, plains: new Map(), sends: [], slab: EMPTY, slabAt: 0, sums });
      else if (r === 0) heldState.get(h).sums = sums;
      return r;
    },
    /** The host side of deferred checksums (fill, matches), or null when the runtime has no crc32 (then nodeDeferAead keeps them in the core). */
    checksum,
    // one ACK per stream after each input (a batch), when the host runs the due timers (StreamConfig.coalesceAcks)
    nodeCoalesceAcks: (h) => op(OP.COALESCE_ACKS, h),
    // the segment size of streams opened from now on (nodeNew's streamMss): the relay in use changed
    nodeSetStreamMss: (h, streamMss) => op(OP.STREAM_MSS, h, streamMss ?? 0),
    /** The node's crypto requests (records: kind, id, keyId, nonce, aad, data), or null when it has none. */
    nodePollCrypto: (h) => {
      const b = io.take(x.nodeCrypto(h, -1, 0));
      const st = heldState.get(h);
      if (b === null && st !== undefined) st.sends.length = 0; // no request left: no seal will name a kept payload
      return b === null ? null : decodeCryptoBatch(b, st);
    },
    /**
     * Answers: ids[i] gets outputs[i] (a Uint8Array, or null for a failed tag / host failure). How many the node took, or -1.
     * An opened datagram's plaintext whose checksum matched (`checked[i]`) is kept, not copied: its event's data is a
     * view of it, so the caller must not write it afterwards (webCryptoRunner's are WebCrypto's own buffers).
     */
    nodeCryptoDone: (h, ids, outputs, now, checked = null) => {
      const st = heldState.get(h);
      // what stays here: a seal's ciphertext (answered HELD); a held frame is released at its open's answer, and a
      // failed one hands its bytes back to the core (REFILL), which may ask again under the previous session
      const outs = [];
      const lens = [];
      let n = 0;
      let keptPlains = null; // ids of answers whose payload stays here (ANSWER_PAYLOAD)
      const headerOnly = [];
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        let o = outputs[i];
        let len = o ? (checked?.[i] ? o.length | ANSWER_CHECKED : o.length) : 0xffffffff;
        if (st?.holdable.delete(id) && o && st.kept.size < HELD_SEALS_MAX && !st.kept.has(id)) {
          st.kept.set(id, o);
          o = null;
          len = ANSWER_HELD;
        } else if (st?.refOf.has(id)) {
          const ref = st.refOf.get(id);
          const f = st.frames.get(ref);
          st.refOf.delete(id);
          st.frames.delete(ref);
          if (!o && f) {
            o = f.bytes.subarray(f.at);
            len = o.length | ANSWER_REFILL;
          }
        }
        // a checked datagram's plaintext stays here: only its header crosses (the core checks it is one)
        let only = false;
        if (o && checked?.[i] && id !== 0 && o.length > PACKET_HEADER && o[1] === PROTO_DATAGRAM
            && ((o[2] << 8) | o[3]) === o.length - PACKET_HEADER && st !== undefined && st.plains.size < HELD_PAYLOADS_MAX
            && !st.plains.has(id)) {
          st.plains.set(id, o);
          (keptPlains ??= []).push(id);
          only = true;
          len = (4 + PACKET_HEADER) | ANSWER_CHECKED | ANSWER_PAYLOAD;
        }
        headerOnly.push(only);
        outs.push(o);
        lens.push(len);
        n += 8 + (only ? 4 + PACKET_HEADER : o ? o.length : 0);
      }
      const at = io.reserve(n);
      if (at < 0) {
        if (keptPlains !== null) for (const id of keptPlains) st.plains.delete(id);
        return -1;
      }
      const m = io.mem();
      let k = at;
      for (let i = 0; i < ids.length; i++) {
        const o = outs[i];
        const id = ids[i];
        const len = lens[i];
        m[k] = id >>> 24; m[k + 1] = id >>> 16; m[k + 2] = id >>> 8; m[k + 3] = id;
        m[k + 4] = len >>> 24; m[k + 5] = len >>> 16; m[k + 6] = len >>> 8; m[k + 7] = len;
        if (headerOnly[i]) {
          const p = o.length;
          m[k + 8] = p >>> 24; m[k + 9] = p >>> 16; m[k + 10] = p >>> 8; m[k + 11] = p;
          for (let j = 0; j < PACKET_HEADER; j++) m[k + 12 + j] = o[j]; // no view object per answer
          k += 12 + PACKET_HEADER;
          continue;
        }
        if (o) m.set(o, k + 8);
        k += 8 + (o ? o.length : 0);
      }
      const r = x.nodeCrypto(h, n, now);
      if (keptPlains !== null) {
        if (r < 0) {
          for (const id of keptPlains) st.plains.delete(id); // refused whole: nothing of it is kept
        } else {
          // the core lists the kept answers that queued no datagram event: their plaintexts go now
          const b = io.mem();
          let a = x.nodeIo(0);
          const count = ((b[a] << 24) | (b[a + 1] << 16) | (b[a + 2] << 8) | b[a + 3]) >>> 0;
          for (let j = 0; j < count && j < keptPlains.length; j++) {
            a += 4;
            st.plains.delete(((b[a] << 24) | (b[a + 1] << 16) | (b[a + 2] << 8) | b[a + 3]) >>> 0);
          }
        }
      }
      return r;
    },
    nodeStats: (h) => { const s = io.take(x.nodeStats(h)); return s === null ? null : decodeStats(s); },
    nodeAddress: (h) => addresses.get(h) ?? null,
    // sessions across an eviction (docs/SPEC-NOTES.md #37)
    nodeSnapshot: (h, now) => io.take(x.nodeSessions(h, -1, now)),
    nodeRestore: (h, bytes, now) => {
      if (!(bytes instanceof Uint8Array) || io.put(bytes) < 0) return INVALID_ARGUMENT;
      const r = io.take(x.nodeSessions(h, bytes.length, now));
      return r === null || r.length !== 4 ? INVALID_ARGUMENT : new DataView(r.buffer, r.byteOffset, 4).getInt32(0);
    },
    nodeSnapshotDue: (h) => op(OP.SNAPSHOT_DUE, h),
  };
  api[INNER] = { x, io, op, platform, heldState, handleIn };
  return api;
}

/**
 * Instantiates the core. `source`: a WebAssembly.Module (Workers: `import wasm from "./pilot-core.wasm"`),
 * or the module's bytes (Node.js: `readFileSync(new URL("./pilot-core.wasm", import.meta.url))`).
 * The core's crypto runs on `node:crypto` (Node.js 22; a Worker needs the `nodejs_compat` compatibility
 * flag): without it this rejects at once with a PlatformCryptoError (code NODEJS_COMPAT_REQUIRED) naming
 * the flag, before anything is compiled. `options.crypto`: a node:crypto-like object instead (tests);
 * `options.keysMax`, `options.verifyKeysMax`: the key tables' bounds (PLATFORM_KEYS_MAX, VERIFY_KEYS_MAX; tests).
 * `options.crc32`: a CRC-32 function for deferred checksums instead of node:zlib's (null: none, the core keeps them).
 */
export async function loadPilotCore(source, options = {}) {
  const nc = options.crypto ?? builtinNodeCrypto();
  const missing = missingFunctions(nc);
  if (missing.length > 0) {
    throw new PlatformCryptoError(nc === null || nc === undefined
      ? "pilot-core needs node:crypto: add \"nodejs_compat\" to compatibility_flags in the Worker's wrangler configuration (Node.js 22 has it built in)"
      : `pilot-core needs node:crypto's ${missing.join(", ")}: add "nodejs_compat" to compatibility_flags (with a compatibility_date of 2024-09-23 or later)`);
  }
  let module = source;
  if (!(source instanceof WebAssembly.Module)) {
    // Node.js path only: Workers forbid compiling wasm at run time, so they must pass a Module.
    module = await WebAssembly.compile(source);
  }
  let platform = null;
  let memory = null;
  const teavm = await load(module, {
    installImports: (importObj) => {
      memory = importObj.env.memory;
      platform = installCrypto(importObj, nc, options.keysMax, options.verifyKeysMax);
    },
  });
  return wrap(teavm.exports, platform, memory, options.crc32 !== undefined ? options.crc32 : builtinCrc32());
}
