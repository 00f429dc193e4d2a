// Types for pilot-core.mjs, the production module (the node). Byte arrays are Uint8Array.
// One error convention: a number >= 0 is a result, a negative one is minus an ErrorCode; null means nothing.

export type ErrorName =
  | "TRUNCATED" | "BAD_LENGTH" | "BAD_CHECKSUM" | "BAD_VERSION" | "BAD_MAGIC" | "BAD_ADDRESS" | "NO_SESSION"
  | "REPLAY" | "TOO_OLD" | "AEAD_FAILED" | "SPOOFED_SOURCE" | "UNKNOWN_IDENTITY" | "IDENTITY_MISMATCH"
  | "BAD_SIGNATURE" | "WEAK_KEY" | "RATE_LIMITED" | "TABLE_FULL" | "STALE_KEY" | "INVALID_ARGUMENT"
  | "INVALID_STATE" | "REFUSED" | "STREAM_RESET" | "TIMED_OUT" | "ABORTED" | "PEER_UNREACHABLE" | "LIMIT_REACHED"
  | "REPLY_INCOMPLETE";

/** How a stream ends, chosen per call (CloseMode in the core). */
export type CloseMode = "half" | "full" | "after-reply";

/**
 * When a request/reply exchange has ended (ReplyPolicy in the core). expect: "echo" (every byte we wrote
 * comes back), a byte count, or absent (the peer's close or quietMs of silence ends it). maxAheadBytes: echo
 * pacing (default 65536 for echo). A peer that closes before an expected reply is complete fails the stream
 * with REPLY_INCOMPLETE.
 */
export interface ReplyPolicy {
  expect?: "echo" | number | null;
  maxAheadBytes?: number;
  quietMs?: number;
}

export declare const ErrorCodes: Readonly<Record<number, ErrorName>>;

export type EventKind =
  | "PEER_UP" | "PEER_NEEDED" | "PEER_UNREACHABLE" | "STREAM_OPENED" | "STREAM_ACCEPTED" | "STREAM_READABLE"
  | "STREAM_WRITABLE" | "STREAM_CLOSED" | "DATAGRAM" | "PONG" | "PING_TIMEOUT";

export declare const EventKinds: Readonly<Record<number, EventKind>>;

export type Profile = "modern" | "feb2026";

export interface PeerAddress {
  network: number;
  node: number;
  /** N:NNNN.HHHH.LLLL */
  text: string;
}

export interface NodeEvent {
  kind: EventKind;
  /** stream id; ping id for PONG / PING_TIMEOUT */
  stream: number;
  peer: PeerAddress | null;
  localPort: number;
  remotePort: number;
  /** PONG: round trip in ms */
  value: number;
  /** STREAM_CLOSED: null after a clean close */
  error: ErrorName | null;
  /** DATAGRAM payload: a view of the copy its poll took (the events of one poll share one buffer; nothing else writes it) */
  data: Uint8Array | null;
}

export interface Transmit {
  ip: string;
  port: number;
  datagram: Uint8Array;
  /** the whole record, `ipLen ‖ ip ‖ port ‖ datagram`: the relay's message layout, to send as it is (a view) */
  message: Uint8Array;
}

export interface Outcome {
  ok: boolean;
  error: ErrorName | null;
  error_code: number | null;
}

export interface NodeOptions {
  /** our node id, assigned by the registry */
  node: number;
  network?: number;
  /** 32-byte Ed25519 seed: the identity (keep it secret) */
  identitySeed: Uint8Array;
  /** at least 32 bytes from crypto.getRandomValues */
  entropy: Uint8Array;
  profile?: Profile;
  /** serve port 7 by echoing (default true, like the reference daemon) */
  echo?: boolean;
  /**
   * stream segment we send, 1024..4096 (default 1024, safe on every path): 4096 only where datagrams of that
   * size arrive whole, e.g. through a relay whose UDP leg is loopback (its auth_ok `stream_mss`)
   */
  streamMss?: number;
}

export interface PilotCore {
  errorName(code: number): string;
  free(handle: number): void;

  addressParse(text: string): Outcome & { network?: number; node?: number; canonical?: string };
  ed25519Public(seed: Uint8Array): Uint8Array | null;
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array | null;
  /** Ed25519 verification; false for a malformed key or signature. */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  /** A node handle, or minus an error code. */
  nodeNew(options: NodeOptions): number;
  /**
   * The core's lookup → pin → resolve policy (PeerResolver, bounded): PEER_NEEDED (or our endpoint moved:
   * `rehandshake`) goes in; the registry calls to make come out of resolverPoll; their answers go back.
   * A looked-up key is pinned only once a session with it is confirmed; answers nobody asked for change nothing.
   */
  resolverNeeded(handle: number, peer: number, rehandshake: boolean, now: number): number;
  resolverPoll(handle: number): { kind: "lookup" | "resolve"; node: number } | null;
  resolverLookedUp(handle: number, peer: number, ed25519: Uint8Array, now: number): number;
  resolverResolved(handle: number, peer: number, ip: Uint8Array | string, port: number, now: number): number;
  /** `unknown`: the registry does not know the id (it fails at once for a while); else a transport error. */
  resolverFailed(handle: number, peer: number, unknown: boolean, now: number): number;
  /**
   * A relay message `ipLen ‖ ip ‖ port ‖ datagram` as it came (one crossing, no IP text); -19 when its header is malformed.
   * For a node with deferred AEAD a sealed frame's ciphertext stays here (only its header crosses) until the node's
   * open request for it is answered: the array is kept, not copied, so do not change it after the call (also for
   * nodeHandleDatagram's `datagram`).
   */
  nodeHandleRelayMessage(handle: number, message: Uint8Array, now: number): number;
  /** The next queued datagram; they cross from the core in batches. datagram is a view: copy it to keep it. */
  nodePollTransmit(handle: number): Transmit | null;
  nodePollEvent(handle: number): NodeEvent | null;
  /** ms of the next deadline, or null */
  nodeNextDeadline(handle: number): number | null;
  nodeHandleTimeout(handle: number, now: number): number;
  /** 0, or minus an error code */
  nodeListen(handle: number, port: number): number;
  /** stream id > 0, or minus an error code */
  nodeOpenStream(handle: number, network: number, node: number, port: number, now: number): number;
  /** bytes accepted (0: wait for STREAM_WRITABLE), or minus an error code */
  nodeWrite(handle: number, stream: number, data: Uint8Array, now: number): number;
  nodeRead(handle: number, stream: number, max: number, now: number): Uint8Array | null;
  nodeAtEof(handle: number, stream: number): boolean;
  nodeAbortStream(handle: number, stream: number, now: number): number;
  /** Sends every pending delayed ACK now; true when no stream has data, a FIN or an ACK of ours in flight. */
  nodeFlushStreams(handle: number, now: number): boolean;
  /**
   * Ends a stream: "half" (FIN ours, keep reading), "full" (FIN ours, stop reading) or "after-reply" (keep
   * the write side open until the reply set by nodeExpectReply has ended, then full). 0 or minus an error code.
   */
  nodeCloseStreamMode(handle: number, stream: number, mode: CloseMode, now: number): number;
  /** Makes a stream a request/reply exchange; call before writing. 0 or minus an error code. */
  nodeExpectReply(handle: number, stream: number, reply: ReplyPolicy, now: number): number;
  nodeSendDatagram(handle: number, network: number, node: number, port: number, data: Uint8Array, now: number): number;
  nodePing(handle: number, network: number, node: number, now: number): number;
  nodeStats(handle: number): { address: string; peers: number; streams: number; packets_in: number; packets_out: number; buffered_bytes: number; dropped: Record<string, number> } | null;
  nodeAddress(handle: number): string | null;
  /**
   * The node's established sessions as bytes to persist (docs/SPEC-NOTES.md #37: "PISN", version 1); clears
   * the due mark. null for an unknown handle.
   */
  nodeSnapshot(handle: number, now: number): Uint8Array | null;
  /** Restores a snapshot into a node that handled no frame yet: sessions restored (>= 0), or minus an error code. */
  nodeRestore(handle: number, snapshot: Uint8Array, now: number): number;
  /**
   * Poll after each step: 0 nothing changed; 1 a receive high-water mark advanced (persist when convenient);
   * 2 persist nodeSnapshot before this step's datagrams leave (a send-counter reservation was raised, or a
   * session came or went).
   */
  nodeSnapshotDue(handle: number): 0 | 1 | 2;
  /**
   * The AEAD as an effect: from now on the node asks the host for AES-GCM (nodePollCrypto / nodeCryptoDone,
   * or webCryptoRunner). Call right after nodeNew. Drain nodePollCrypto before nodePollTransmit: a frame
   * waits until its seal is answered and nothing overtakes it. `checksum`: the packet checksums too, when
   * `checksum` (below) is there: seals come as SEAL_CHECKSUM (fill the CRC-32 before sealing), opens as
   * OPEN_CHECKSUM (say whether it matched); webCryptoRunner does both. Without a crc32 it is ignored.
   */
  nodeDeferAead(handle: number, options?: { checksum?: boolean }): number;
  /** The host side of deferred checksums on node:zlib's crc32, or null when the runtime has none. */
  readonly checksum: PacketChecksum | null;
  /**
   * From now on the node's new streams send one ACK per stream after each input instead of one per two segments
   * during it (StreamConfig.coalesceAcks): the host must run the due timers (nodeNextDeadline <= now:
   * nodeHandleTimeout) after every input, a nodeHandleRelayMessage batch or a nodeCryptoDone. Call right after nodeNew.
   */
  nodeCoalesceAcks(handle: number): number;
  /**
   * The segment size of streams opened or accepted from now on, as NodeOptions.streamMss (undefined or 0: 1024):
   * the relay in use changed. Open streams keep theirs. 0, or -19 (INVALID_ARGUMENT, nothing changed) outside 1024..4096.
   */
  nodeSetStreamMss(handle: number, streamMss?: number): number;
  /** The node's crypto requests, in order, or null when it has none. */
  nodePollCrypto(handle: number): CryptoRequest[] | null;
  /**
   * Answers ids[i] with outputs[i] (null: the tag failed or the host failed); how many the node took, or -1.
   * checked[i]: an OPEN_CHECKSUM answer whose plaintext's checksum matched (PacketChecksum.matches).
   */
  nodeCryptoDone(handle: number, ids: readonly number[], outputs: readonly (Uint8Array | null)[], now: number,
    checked?: readonly boolean[] | null): number;
}

/**
 * A core with the node API beyond what a Worker's PilotPeer calls (withFullApi): direct peers, re-handshakes,
 * counters and the raw exports, for tests, benchmarks and Node.js hosts.
 */
export interface PilotCoreFull extends PilotCore {
  /** The module's exports as TeaVM gives them. */
  readonly raw: Record<string, (...args: number[]) => number>;
  /** Copies bytes into the I/O region (what every wrapper call does first); their total length, or -1. */
  ioPut(...arrays: Uint8Array[]): number;
  /** Entries in the parsed-IP caches (bounded by IP_CACHE_MAX each). */
  ipCacheSize(): number;
  version(): string;
  /** Where the core's crypto runs: always node:crypto (the module carries no other implementation). */
  aead(): "node:crypto" | "bouncy-castle";
  /** Keys (AES-GCM and Ed25519) the platform crypto holds now (at most PLATFORM_KEYS_MAX); for tests. */
  aeadKeyCount(): number;
  /** Peer Ed25519 public keys the verification cache holds now (at most VERIFY_KEYS_MAX); for tests. */
  verifyKeyCount(): number;
  liveHandles(): number;
  /** 0, or minus an error code (also for nodeSetProfile, nodeAddPeer, nodeHandleDatagram...). */
  nodeTrust(handle: number, peer: number, ed25519: Uint8Array): number;
  nodeSetProfile(handle: number, peer: number, profile: Profile): number;
  /** ip: its 4 or 16 bytes, or as text dotted IPv4 (or the 32 hex digits of a 16-byte address, as Transmit gives it) */
  nodeAddPeer(handle: number, peer: number, ip: Uint8Array | string, port: number, now: number): number;
  nodePeerLookupFailed(handle: number, peer: number, now: number): number;
  /** Our endpoint moved (another relay): a fresh handshake (new X25519 key) with a peer we hold a session with; true if one started. */
  nodeRehandshake(handle: number, peer: number, now: number): boolean;
  nodeHandleDatagram(handle: number, ip: string, port: number, datagram: Uint8Array, now: number): number;
  nodeCloseStream(handle: number, stream: number, now: number): number;
  nodeHasSession(handle: number, peer: number): boolean;
  /**
   * Bytes kept out of the core now, for tests: seal ciphertexts (`seals` as the core counts them, `kept` as held
   * here; each at most HELD_SEALS_MAX), received sealed frames (`frames` held here, at most HELD_FRAMES_MAX), opened
   * datagrams' plaintexts (`payloads`) and sent datagrams' payloads (`sends`, at most HELD_SENDS_MAX).
   */
  nodeHeld(handle: number): { seals: number; kept: number; frames: number; payloads: number; sends: number };
}

/** The packet checksum (CRC-32 of spec B.2) for a node that deferred it. */
export interface PacketChecksum {
  /** Writes the checksum into a packet whose checksum field is zero (a SEAL_CHECKSUM request's data). */
  fill(packet: Uint8Array): void;
  /** Whether an opened packet's checksum matches; false when it is too short to tell. */
  matches(packet: Uint8Array): boolean;
}

/** One crypto request of a node with deferred AEAD (kinds: CryptoKinds); byte fields are views of one copy. */
export interface CryptoRequest {
  kind: 1 | 2 | 3 | 4 | 5 | 6;
  /** What nodeCryptoDone answers (seals and opens). */
  id: number;
  keyId: number;
  /** 12 bytes (seals and opens), else null. */
  nonce: Uint8Array | null;
  aad: Uint8Array | null;
  /**
   * The raw 32-byte key (KEY_INSTALL), the packet (SEAL, SEAL_CHECKSUM: its checksum field zero) or ciphertext ‖ tag
   * (OPEN, OPEN_CHECKSUM). null only for a seal of a sent payload the wrapper no longer holds (never in its own flow):
   * answer it null (the frame never leaves).
   */
  data: Uint8Array | null;
}

export declare const CryptoKinds: Readonly<{ KEY_INSTALL: 1; KEY_DROP: 2; SEAL: 3; OPEN: 4; SEAL_CHECKSUM: 5; OPEN_CHECKSUM: 6 }>;

/** Answers a node's crypto requests with WebCrypto, one batch per step (see pilot-core.mjs). */
export interface WebCryptoRunner {
  /** Answers one batch; resolves to the number of seals and opens answered (0: the node asked nothing). Never rejects. */
  step(handle: number, now: () => number): Promise<number>;
  /** Forgets a freed node's keys. */
  forget(handle: number): void;
  keyCount(): number;
}

export declare function webCryptoRunner(core: PilotCore, subtle?: SubtleCrypto): WebCryptoRunner;

export declare function addressText(network: number, node: number): string;
export declare function decodeEvent(bytes: Uint8Array): NodeEvent;
export declare function decodeTransmit(bytes: Uint8Array): Transmit;
/** The node:crypto functions the core's crypto uses (all of them are required). */
export interface PlatformCrypto {
  createSecretKey(key: Uint8Array): unknown;
  createCipheriv(algorithm: "aes-256-gcm", key: unknown, iv: Uint8Array): unknown;
  createDecipheriv(algorithm: "aes-256-gcm", key: unknown, iv: Uint8Array): unknown;
  createPrivateKey(key: unknown): unknown;
  createPublicKey(key: unknown): unknown;
  sign(algorithm: null, data: Uint8Array, key: unknown): Uint8Array;
  verify(algorithm: null, data: Uint8Array, key: unknown, signature: Uint8Array): boolean;
  hkdfSync(digest: "sha256", ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): ArrayBuffer;
  createHash(algorithm: "sha256"): unknown;
}

export interface LoadOptions {
  /** For tests: a node:crypto-like object instead of the runtime's node:crypto. */
  crypto?: PlatformCrypto;
  /** For tests: a smaller key table than PLATFORM_KEYS_MAX. */
  keysMax?: number;
  /** For tests: a smaller verification cache than VERIFY_KEYS_MAX. */
  verifyKeysMax?: number;
  /** A CRC-32 for deferred checksums instead of node:zlib's; null: none (the core keeps its checksums). */
  crc32?: ((data: Uint8Array) => number) | null;
}

/**
 * loadPilotCore's refusal when the runtime has no node:crypto (a Worker without the `nodejs_compat`
 * compatibility flag): the message names the flag.
 */
export declare class PlatformCryptoError extends Error {
  readonly code: "NODEJS_COMPAT_REQUIRED";
}

/** Keys (AES-GCM and Ed25519) the platform crypto holds at once, all nodes together; the oldest is dropped and re-imported on use. */
export declare const PLATFORM_KEYS_MAX: number;
/** Peer Ed25519 public keys cached for verification; the cache is emptied when it reaches this size. */
export declare const VERIFY_KEYS_MAX: number;
/** The former name of PLATFORM_KEYS_MAX. */
export declare const AEAD_KEYS_MAX: number;
/** Seal ciphertexts the wrapper keeps per node at most, from a seal's answer until its frame leaves. */
export declare const HELD_SEALS_MAX: number;
/** Received sealed frames the wrapper keeps per node at most, until the node's open request for one is answered. */
export declare const HELD_FRAMES_MAX: number;
/** Adds the node API beyond what a Worker's PilotPeer calls to a loaded core (the same object) and returns it. */
export declare function withFullApi(core: PilotCore): PilotCoreFull;
/** Sent datagrams' payloads the wrapper keeps per node at most, until the seal request naming one is polled. */
export declare const HELD_SENDS_MAX: number;

/**
 * Pass a WebAssembly.Module in Workers, the .wasm bytes in Node.js. Rejects with a PlatformCryptoError
 * when the runtime has no node:crypto (a Worker needs `nodejs_compat`).
 */
export declare function loadPilotCore(source: WebAssembly.Module | BufferSource, options?: LoadOptions): Promise<PilotCore>;
