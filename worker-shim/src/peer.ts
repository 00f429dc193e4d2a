// PilotPeer: a Pilot node living in a Worker. The wasm core makes every protocol decision; this class
// only moves bytes between the core and the transport, keeps time, and turns core events into promises.
import { getCore, nodeRestore, nodeSnapshot, SNAPSHOT_DUE, webCryptoRunner, type WebCryptoRunner, type CloseMode, type NodeEvent, type PilotCore, type Profile, type ReplyPolicy } from "./core.js";
import { CLOSE_IDLE, RelayTransport, streamMssOf, type RegistryMessage, type Transport, type TransportState } from "./transport.js";
import { ascii, heartbeatText, packBatches, parseHostPort, registerText, resolveText, setVisibilityStampedText, setVisibilityText } from "./edge.js";
import { b64, concat, random, unb64 } from "./bytes.js";
import { InboundTransport } from "./inbound.js";
import { Timers } from "./timers.js";
import { errorText } from "./errors.js";

/**
 * Dial-in (issue 17): the relay connects INTO the Worker, so the Durable Object may hibernate. The peer
 * still logs in outbound first (to register and to ask for the dial-in), then moves to the inbound
 * connection and closes its own; while idle it holds no in-memory timer, only the object's alarm.
 */
export interface DialInOptions {
  /** our relay-in URL (http(s)://host[:port]/pilot/relay-in/<identity>), sent to the relay in dial_in */
  url: string;
  /** the dial-in sockets the object holds after a wake (ctx.getWebSockets) */
  sockets: readonly WebSocket[];
  /** the relay key we trust (env RELAY_PUBLIC_KEY or the one pinned at bootstrap), null before the first */
  relayKey: () => Uint8Array | null;
  /** trust on first use: the relay key from dial_in_ok over the authenticated outbound login */
  pinRelayKey: (key: Uint8Array) => void;
  /** sets (a time in ms) or deletes (null) the object's one alarm */
  setAlarm: (at: number | null) => void;
}

export interface PeerOptions {
  /** ws(s)://relay/v1/relay: one relay (or give relayUrls) */
  relayUrl?: string;
  /**
   * Relays in order of preference (at most MAX_RELAYS). When the one in use is lost the peer moves to the
   * next, round robin, with backoff; it keeps its Pilot address and sessions: its registry entry is
   * re-pointed by its own signature and every peer it holds a session with gets a fresh handshake.
   */
  relayUrls?: readonly string[];
  /** our node id if known from an earlier run: sent at login, so the relay skips its provisional step */
  nodeId?: number;
  /** 32-byte Ed25519 seed: the identity. Keep it secret (Durable Object storage). */
  identitySeed: Uint8Array;
  profile?: Profile;
  /** serve port 7 by echoing (default true) */
  echo?: boolean;
  /** called with our node id once the registry assigned it */
  onRegistered?: (nodeId: number) => void;
  /**
   * Our endpoint at the last registration, from an earlier run (stored by onEndpoint): a woken peer that
   * registers somewhere else then re-handshakes its peers, as one that never slept would.
   */
  registeredEndpoint?: string;
  /**
   * The relay's stream_mss at that registration (stored by onEndpoint): the segment size of a node made after a
   * wake before the relay's dial-in answered (the connection's own stream_mss wins when it has one).
   */
  registeredStreamMss?: number;
  /** called when we registered at an endpoint, or with a stream_mss, other than the last: store both for the above */
  onEndpoint?: (endpoint: string, streamMss: number | null) => void;
  /** milliseconds; Date.now by default */
  now?: () => number;
  /**
   * Where the node's sessions survive an eviction (docs/SPEC-NOTES.md #37): load() once before the node
   * handles its first frame, save() whenever the core marks the snapshot due (at most once per step). save()
   * must be ordered before the datagrams of that step reach the network (a Durable Object's output gate does
   * this for ctx.storage.put), or send counters could repeat after a restore.
   */
  sessions?: PeerSessionStore;
  log?: (line: string) => void;
  /** the relay dials into us (absent: the outbound connection only, as before) */
  dialIn?: DialInOptions;
  /**
   * Seal and open with WebCrypto (`crypto.subtle`, asynchronous: the core asks, the peer answers in batches;
   * docs/ARCHITECTURE.md "Built: AEAD as an effect"). Default true where `crypto.subtle` exists; false runs
   * AES-GCM inside each core call (node:crypto or Bouncy Castle). Same bytes on the wire either way.
   */
  webCrypto?: boolean;
}

export interface PeerSessionStore {
  load(): Promise<Uint8Array | null>;
  save(bytes: Uint8Array): void;
}

export interface PeerStatus {
  address: string | null;
  state: TransportState;
  /** the relay in use (or being dialled) */
  relayUrl: string;
  endpoint: string | null;
  reconnects: number;
  lastError: string | null;
  node: ReturnType<PilotCore["nodeStats"]> | null;
  /** which connection carries our frames: the relay's dial-in or our own outbound one */
  transport: "inbound" | "outbound";
  /** whether we hold an outbound WebSocket (connecting or logged in): it keeps the object in memory */
  outboundSocket: boolean;
  /** in-memory timers pending (0 when idle on dial-in: the object can hibernate) */
  timers: number;
  /** the alarm time the peer asked for (ms), or null */
  alarm: number | null;
  /** key-exchange frames (PILA) received and sent since this object started */
  pilaIn: number;
  pilaOut: number;
  /** dial-in sockets refused for a wrong or missing relay proof */
  dialInRefused: number;
  /** where AES-GCM runs: WebCrypto answering the core's requests, or inside the core's calls */
  aead: "webcrypto" | "in-call";
  /** binary WebSocket messages we sent the relay (a batch counts once: fewer than the datagrams when it takes batches) */
  messagesOut: number;
}

export class PilotError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 30_000;
/** Relay URLs one peer takes (PeerOptions.relayUrls); more is a configuration error. */
export const MAX_RELAYS = 16;
/** Peers remembered to re-resolve after a reconnect (each reconnect opens the new relay's allow-list for them). */
export const MAX_REMEMBERED_PEERS = 1024;
const HEARTBEAT_MS = 30_000;
/**
 * After the relay's dial-in connection closed, how long we wait for its redial (its first comes after 1 s, the
 * next after 2 s more) before we dial out ourselves and ask again: a relay that restarted has forgotten us
 * and never redials, and without this the object stayed unreachable until the application sent something.
 */
export const INBOUND_LOST_FALLBACK_MS = 10_000;
/** How long the peer waits for dial_in_ok / dial_in_error after asking the relay to dial in. */
export const DIAL_IN_REPLY_MS = 10_000;
const PILA = [0x50, 0x49, 0x4c, 0x41];

/** Whether a relay message `ipLen ‖ ip ‖ port ‖ frame` carries a PILA (counted for the status API). */
function isPila(message: Uint8Array): boolean {
  const f = 3 + (message[0] ?? 0); // the header is checked by the core; a bad one just does not count
  return message.length >= f + 4 && PILA.every((b, i) => message[f + i] === b);
}
/**
 * Sessions whose only change is a receive high-water mark are saved at most this often (PeerOptions.sessions):
 * a restore may accept again what arrived since the last save (docs/SECURITY.md, replay exposure).
 */
export const ADVISORY_SAVE_MS = 1_000;
/** How long close() keeps the peer up for its last FINs and ACKs to be acknowledged. */
export const LINGER_MS = 1_000;
/**
 * After a request's stream failed, at most this much more of its body is read and dropped before the
 * body is cancelled: workerd reports a request body left mid-transfer when the response then fails.
 */
export const DRAIN_AFTER_FAILURE_BYTES = 1 << 20;

/**
 * How far an echo request runs ahead of its echo (ReplyPolicy.maxAheadBytes, unless the caller gives one). The
 * core's default, 64 KiB, is one round trip's worth between two hosts; a Worker's round trip adds the relay and
 * two WebSocket hops, so 64 KiB per round trip held an echo near 5-10 MB/s each way. Half of a peer's 256 KiB
 * receive buffer moved as much as all of it and left the echo room to flow: with 256 KiB the peer's echo waited
 * for our window more often and acknowledged our data alone (docs/BENCHMARKS.md, branch `echo`). The core still
 * caps the lead at the peer's advertised window, so a peer's receive queue never fills.
 */
export const ECHO_AHEAD_BYTES = 128 * 1024;

/**
 * Request body bytes read ahead of the stream's writer, at most (one chunk may pass it). workerd hands a request
 * body over in chunks of 4 KiB, one event-loop turn each: written one by one, an echo request (paced to its
 * reply) left one segment per write, step, seal and WebSocket message. Read ahead while the writer waits, they go
 * out together: one write and step, one batch of seals, one message (docs/BENCHMARKS.md, branch `echo`).
 */
export const REQUEST_READ_AHEAD_BYTES = 64 * 1024;

/**
 * Reads `reader` ahead, one read in flight, until REQUEST_READ_AHEAD_BYTES wait. Each call returns every chunk read
 * so far (waiting for the first), null at the end; a failed read throws once the chunks before it are taken.
 */
export function readAhead(reader: ReadableStreamDefaultReader<Uint8Array>): () => Promise<Uint8Array[] | null> {
  const ready: Uint8Array[] = [];
  let bytes = 0;
  let reading = false;
  let end = false;
  let failure: unknown = null;
  let wake = (): void => {};
  const pull = (): void => {
    if (reading || end || bytes >= REQUEST_READ_AHEAD_BYTES) return;
    reading = true;
    reader.read().then((r) => {
      if (r.done) {
        end = true;
      } else {
        ready.push(r.value);
        bytes += r.value.byteLength;
      }
    }, (e: unknown) => {
      end = true;
      failure = e ?? Error();
    }).then(() => {
      reading = false;
      pull();
      wake();
    });
  };
  return async () => {
    for (pull(); !ready.length && !end;) await new Promise<void>((r) => { wake = r; });
    if (!ready.length && failure !== null) throw failure;
    bytes = 0;
    const taken = ready.length ? ready.splice(0) : null;
    pull();
    return taken;
  };
}

/** The registry answered with an error (it does not know the node): the core's resolver caches that a while. */
class RegistryRefused extends Error {}

export type { CloseMode, ReplyPolicy };

/** How {@link PilotPeer.request} sends its request and ends its side. */
export interface RequestOptions {
  /** "after-reply" (default): keep our write side open until the reply has ended; "half" or "full" right after the request. */
  close?: CloseMode;
  /** When the reply has ended (default: the echo of every byte on port 7, else the peer's close or 2 s of quiet). */
  reply?: ReplyPolicy;
  /** The request may not be longer than this (checked while reading it): the stream fails with LIMIT_REACHED. */
  maxRequestBytes?: number;
}




/** A stream as a Web stream pair: write with backpressure, read until end. */
export class PilotStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private writableWaiters: Array<() => void> = [];
  /** Settles once request() stopped reading its request body (sent whole, or cancelled on failure). */
  requestSent: Promise<void> = Promise.resolve();
  closedReason: string | null | undefined = undefined; // undefined: open; null: clean; string: error

  constructor(private readonly peer: PilotPeer, readonly id: number) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => { this.controller = c; },
      pull: () => { this.peer.pullStream(this); },
      cancel: () => { this.abort(); },
    }, { highWaterMark: 4 });
  }

  /** Writes all bytes, waiting while the stream's send buffer is full. */
  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.closedReason !== undefined) throw new PilotError(`stream ${this.id} is closed`, this.closedReason ?? "CLOSED");
      const n = this.peer.writeStream(this, data.subarray(off));
      if (n < 0) throw new PilotError(`stream ${this.id} refused the write`, "INVALID_STATE");
      off += n;
      if (n === 0) await new Promise<void>((r) => this.writableWaiters.push(r));
    }
  }

  /**
   * Ends our side: "half" (default: FIN ours, keep reading to the peer's end), "full" (FIN ours, stop
   * reading), or "after-reply" (keep the write side open until the reply set by expectReply has ended).
   */
  close(mode: CloseMode = "half"): void {
    this.peer.closeStream(this, mode);
  }

  /** Makes this stream a request/reply exchange (echo pacing, the end of "after-reply"); call before writing. */
  expectReply(reply: ReplyPolicy): void {
    this.peer.expectReply(this, reply);
  }

  abort(): void {
    this.peer.abortStream(this);
  }

  /** @internal */
  push(chunk: Uint8Array): void {
    this.controller.enqueue(chunk);
  }

  /** @internal */
  wantsMore(): boolean {
    return (this.controller.desiredSize ?? 0) > 0;
  }

  /** @internal */
  end(reason: string | null): void {
    if (this.closedReason !== undefined && this.closedReason !== null) return;
    this.closedReason = reason;
    for (const w of this.writableWaiters.splice(0)) w();
    try {
      if (reason === null) this.controller.close();
      else this.controller.error(new PilotError(`stream ended: ${reason}`, reason));
    } catch {
      // already closed
    }
  }

  /** @internal */
  writable(): void {
    for (const w of this.writableWaiters.splice(0)) w();
  }
}

export class PilotPeer {
  private handle = 0;
  private transport: RelayTransport;
  private nodeId = 0;
  /** the relay's dial-in connection (null: dial-in is off) */
  readonly inbound: InboundTransport | null = null;
  private readonly timers = new Timers();
  /** the alarm we asked the object for (dial-in only) */
  private alarmAt: number | null = null;
  /** a reconnect waiting in the alarm instead of an in-memory timer (dial-in, idle) */
  private reconnectAt: number | null = null;
  /** shutdown() waits for our last FINs and ACKs */
  private lingering = false;
  private pilaIn = 0;
  private pilaOut = 0;
  private messagesOut = 0;
  /** Echo requests still being written (request() to an echo): the data they send carries our ACKs. */
  private echoWriters = 0;
  private backoff = RECONNECT_MIN_MS;
  private reconnects = 0;
  /** The relay closed us for idleness: the reconnect that follows logs nothing. */
  private quietReconnect = false;
  private lastError: string | null = null;
  private closed = false;
  private readonly pings = new Map<number, { resolve: (ms: number) => void; reject: (e: Error) => void }>();
  private readonly dialing = new Map<number, { resolve: (s: PilotStream) => void; reject: (e: Error) => void }>();
  private readonly streams = new Map<number, PilotStream>();
  /** When the armed "step" timer is due (schedule), null when none is. */
  private stepAt: number | null = null;
  /** Streams whose received bytes wait for the next drain (drainSoon). */
  private readonly toDrain = new Set<PilotStream>();
  private readonly datagramHandlers = new Map<number, (from: string, srcPort: number, data: Uint8Array) => void>();
  private connecting: Promise<void> | null = null;
  /**
   * Peers we resolved, or whose look-up the connection lost: re-resolved after a reconnect, which also
   * re-opens the new relay's allow-list (at most MAX_REMEMBERED_PEERS).
   */
  private readonly resolved = new Set<number>();
  private readonly now: () => number;
  private readonly publicKey: Uint8Array;
  private readonly relays: readonly string[];
  private relayIndex = 0;
  /** When the sessions were last saved (PeerOptions.sessions). */
  private lastSessionSave = -Infinity;
  /** Our UDP endpoint at the relay of the last registration: peers learn a new one by a fresh handshake. */
  private registeredEndpoint: string | null;
  /** The relay's stream_mss at the last registration (PeerOptions.registeredStreamMss), null: none known. */
  private registeredStreamMss: number | null;
  /** WebCrypto answering the core's seal and open requests, or null (AES-GCM inside the core calls). */
  private readonly crypto: WebCryptoRunner | null;
  /** A crypto batch is being answered: one at a time, so answers reach the core in the order it asked. */
  private pumping = false;

  private constructor(private readonly core: PilotCore, private readonly options: PeerOptions) {
    this.now = options.now ?? (() => Date.now());
    this.crypto = options.webCrypto !== false && typeof crypto !== "undefined" && crypto.subtle ? webCryptoRunner(core, crypto.subtle) : null;
    // kept across a wake (PeerOptions.registeredEndpoint): an object that came back over dial-in never
    // registered in this run, and without it would take its next endpoint for its first, and not re-handshake
    this.registeredEndpoint = options.registeredEndpoint || null;
    this.registeredStreamMss = streamMssOf({ stream_mss: options.registeredStreamMss });
    const pub = core.ed25519Public(options.identitySeed);
    if (!pub) throw new PilotError("the identity seed must be 32 bytes", "INVALID_ARGUMENT");
    this.publicKey = pub;
    const relays = options.relayUrls?.length ? [...options.relayUrls] : options.relayUrl ? [options.relayUrl] : [];
    if (relays.length === 0 || relays.length > MAX_RELAYS || relays.some((u) => !/^wss?:\/\/[^\s]+$/.test(u))) {
      throw new PilotError(`give 1 to ${MAX_RELAYS} relay URLs, each ws:// or wss://`, "INVALID_ARGUMENT");
    }
    this.relays = relays;
    this.nodeId = options.nodeId ?? 0;
    this.transport = this.newTransport();
    const dialIn = options.dialIn;
    if (dialIn) {
      const inbound = new InboundTransport({
        publicKeyBase64: b64(pub), sign: (m) => core.ed25519Sign(options.identitySeed, m) ?? new Uint8Array(64),
        verify: (k, m, sig) => core.ed25519Verify(k, m, sig), relayKey: dialIn.relayKey, nodeId: () => this.nodeId,
        random, timers: this.timers, now: this.now, log: (l) => this.log(l),
      }, dialIn.sockets);
      inbound.onMessage = (message, more) => this.messageIn(message, more);
      inbound.onStateChange = (state, reason) => this.onInboundState(state, reason);
      this.inbound = inbound;
    }
  }

  static async create(options: PeerOptions): Promise<PilotPeer> {
    return new PilotPeer(await getCore(), options);
  }

  get address(): string | null {
    return this.handle ? this.core.nodeAddress(this.handle) : null;
  }

  get publicKeyBase64(): string {
    return b64(this.publicKey);
  }

  status(): PeerStatus {
    const active = this.active();
    return {
      address: this.address,
      // "ready" means usable: logged in AND registered (the node exists); between the relay's auth_ok and the
      // registry's answer the peer has no address yet, so it still reports "connecting"
      state: active.state === "ready" && !this.handle ? "connecting" : active.state,
      relayUrl: this.relays[this.relayIndex] ?? "",
      endpoint: active.endpoint,
      reconnects: this.reconnects,
      lastError: this.lastError,
      node: this.handle ? this.core.nodeStats(this.handle) : null,
      transport: active === this.inbound ? "inbound" : "outbound",
      outboundSocket: this.transport.state === "connecting" || this.transport.state === "ready",
      aead: this.crypto ? "webcrypto" : "in-call",
      messagesOut: this.messagesOut,
      timers: this.timers.count,
      alarm: this.alarmAt,
      pilaIn: this.pilaIn,
      pilaOut: this.pilaOut,
      dialInRefused: this.inbound?.refused ?? 0,
    };
  }

  /** The connection our frames go over: the relay's dial-in once it is logged in, else our own. */
  private active(): Transport {
    return this.inbound?.state === "ready" ? this.inbound : this.transport;
  }

  /** Connects to the relay, registers our key, and creates the node. Idempotent; reconnects by itself. */
  connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    if (this.active().state === "ready" && this.handle) return Promise.resolve();
    this.connecting = this.doConnect().finally(() => { this.connecting = null; });
    return this.connecting;
  }

  private async doConnect(): Promise<void> {
    if (this.transport.state !== "idle") this.transport = this.newTransport();
    await this.transport.connect();
    try {
      await this.register();
    } catch (e) {
      // logged in but not registered: drop this relay connection (its close schedules the next attempt)
      this.transport.close(errorText(e));
      throw e;
    }
    const dialIn = this.options.dialIn;
    if (dialIn) {
      this.askDialIn(dialIn).catch((e: unknown) => {
        // we stay on the outbound connection: it works, it only keeps the object awake
        this.lastError = `dial-in: ${errorText(e)}`;
        this.log(this.lastError);
      });
    }
  }

  /**
   * Dial-in mode, after a wake: with the relay's connection (or one being authenticated) in hand, the node
   * is made from our stored node id without any registry call; with none (first start, or the object was
   * evicted and nobody redialled yet) we log in outbound, which asks the relay to dial in again.
   */
  async resume(connectIfNoSocket: boolean): Promise<void> {
    const inbound = this.inbound;
    if (!inbound) return;
    if (inbound.state === "ready" || inbound.hasPending() || !connectIfNoSocket) {
      await this.ensureNode();
      this.step();
      return;
    }
    this.connect().catch((e: unknown) => this.log(`connect failed: ${errorText(e)}`));
  }

  /** Dial-in after a wake: the node from our stored id, its saved sessions restored before any frame reaches it. */
  private async ensureNode(): Promise<void> {
    if (this.handle || !this.nodeId) return;
    const saved = await this.loadSessions();
    if (!this.handle) this.createNode(this.nodeId, saved);
  }

  /** Over the logged-in outbound connection: asks the relay to dial into us, and pins its key on first use. */
  private async askDialIn(d: DialInOptions): Promise<void> {
    const t = this.transport;
    const heartbeat = this.core.ed25519Sign(this.options.identitySeed, ascii(heartbeatText(this.nodeId)));
    const reply = await new Promise<RegistryMessage>((resolve, reject) => {
      this.timers.set("dial-in", DIAL_IN_REPLY_MS, () => reject(new Error("the relay did not answer dial_in")));
      t.onControl = (m) => {
        if (m.type !== "dial_in_ok" && m.type !== "dial_in_error") return;
        this.timers.clear("dial-in");
        resolve(m);
      };
      const sent = t.sendText({ type: "dial_in", url: d.url,
        heartbeat: { node_id: this.nodeId >>> 0, signature: b64(heartbeat ?? new Uint8Array(64)) } });
      if (!sent) {
        this.timers.clear("dial-in");
        reject(new Error("the outbound connection closed before dial_in"));
      }
    });
    if (reply.type !== "dial_in_ok") throw new PilotError(`the relay refused to dial in: ${String(reply.error)}`, "REFUSED");
    let key: Uint8Array;
    try {
      key = unb64(String(reply.relay_key));
    } catch {
      key = new Uint8Array(0);
    }
    if (key.length !== 32) throw new PilotError("the relay sent no valid relay_key", "REFUSED");
    const pinned = d.relayKey();
    if (!pinned) {
      d.pinRelayKey(key);
      this.inbound?.relayKeyPinned(); // the relay may have dialled in and proved itself before this reply reached us
    }
    else if (b64(pinned) !== b64(key)) {
      this.transport.sendText({ type: "dial_in_cancel" });
      throw new PilotError("the relay's key is not the one we trust (RELAY_PUBLIC_KEY or the pinned one)", "REFUSED");
    }
  }

  /** The relay's dial-in connection logged in, or was lost. */
  private onInboundState(state: TransportState, reason: string): void {
    if (this.closed) return;
    if (state === "ready") {
      this.log(reason);
      this.lastError = null;
      this.timers.clear("heartbeat"); // the relay heartbeats for us while we are dialled in
      this.reconnectAt = null;
      this.timers.clear("reconnect");
      const old = this.transport;
      if (old.state !== "idle") {
        // a fresh idle transport first, so the old one's close schedules no reconnect
        this.transport = this.newTransport();
        old.close("moved to the relay's dial-in connection");
      }
      this.registryCalls(); // asked for while no connection was logged in (after a wake)
      this.followStreamMss();
      if (this.handle) this.step();
      else void this.ensureNode().then(() => this.step());
    } else if (state === "closed") {
      this.lastError = reason;
      // the relay redials by itself; only work that waits now makes us dial out at once. Otherwise we dial
      // out after INBOUND_LOST_FALLBACK_MS unless its redial logged in first (which clears reconnectAt)
      if (this.busy()) this.connect().catch(() => { /* its close schedules the next attempt */ });
      else if (this.reconnectAt === null && !this.timers.has("reconnect")) {
        this.reconnectAt = this.now() + INBOUND_LOST_FALLBACK_MS;
      }
      this.step();
    }
  }

  /** Registers our key at our new endpoint (signed), creates the node once, and re-points our peers. */
  private async register(): Promise<void> {
    // signed (docs/SPEC-NOTES.md, register): our address is the relay endpoint from auth_ok, which changes
    // on every reconnect, and the registry moves a known key only on its signature over the new one
    const listenAddr = this.transport.endpoint ?? "";
    const timestamp = Date.now();
    const reg = await this.signed({ type: "register", public_key: this.publicKeyBase64, listen_addr: listenAddr, timestamp },
      registerText(this.publicKeyBase64, listenAddr, timestamp));
    if (reg.type !== "register_ok") throw new PilotError(`registry refused us: ${String(reg.error)}`, "REFUSED");
    const nodeId = Number(reg.node_id);
    if (!this.handle || nodeId !== this.nodeId) {
      const saved = this.handle ? null : await this.loadSessions(); // before the node exists: no frame can slip in
      this.createNode(nodeId, saved);
      this.options.onRegistered?.(nodeId);
    }
    // Our endpoint changed (another relay, or the same one after a reconnect): a peer that follows an
    // endpoint only on a PILA with a new key (the reference daemon) would keep sending to the old one,
    // so every peer we hold a session with gets a fresh handshake once the new relay may reach it.
    const moved = this.registeredEndpoint !== null && this.registeredEndpoint !== listenAddr;
    const streamMss = this.transport.streamMss ?? null;
    if (this.registeredEndpoint !== listenAddr || this.registeredStreamMss !== streamMss) {
      this.options.onEndpoint?.(listenAddr, streamMss);
    }
    this.registeredEndpoint = listenAddr;
    this.registeredStreamMss = streamMss;
    this.followStreamMss(); // another relay (or a node just made from a stale stored size)
    // the reference signature, plus one over the value and the time (docs/SPEC-NOTES.md #36): our registry
    // requires the stamped one from a node that registers signed, so a captured request cannot be replayed
    const visibleAt = Math.max(Date.now(), timestamp);
    const stampedSig = this.core.ed25519Sign(this.options.identitySeed,
      ascii(setVisibilityStampedText(nodeId, true, visibleAt)));
    const vis = await this.signed({
      type: "set_visibility", node_id: nodeId, public: true, timestamp: visibleAt,
      stamped_signature: b64(stampedSig ?? new Uint8Array(64)),
    }, setVisibilityText(nodeId));
    if (vis.type !== "set_visibility_ok") {
      throw new PilotError(`registry refused to make us public: ${String(vis.error)}`, "REFUSED");
    }
    this.backoff = RECONNECT_MIN_MS;
    if (this.active() === this.transport) this.armHeartbeat();
    if (!this.quietReconnect) this.log(`connected as ${this.address} via ${this.transport.url}, endpoint ${this.transport.endpoint}`);
    this.quietReconnect = false;
    // the relay only forwards to resolved peers: ask again for each (and re-handshake once resolved if we moved)
    for (const node of this.resolved) this.core.resolverNeeded(this.handle, node, moved, this.now());
    this.registryCalls();
    this.step();
  }

  /** The node for our id (freeing an older one): made once per registration or wake; `saved` sessions restored into it. */
  private createNode(nodeId: number, saved: Uint8Array | null): void {
    if (this.handle) this.freeNode(this.handle);
    const h = this.core.nodeNew({
      node: nodeId, identitySeed: this.options.identitySeed, entropy: random(48),
      profile: this.options.profile ?? "modern", echo: this.options.echo ?? true,
      // a relay on loopback lets our stream segments be 4096 (a quarter of the frames); followStreamMss changes it
      // for the streams opened after a move to another relay
      // (a node made after a wake, before the relay's dial-in answered: the size stored at our last registration)
      streamMss: this.active().streamMss ?? this.registeredStreamMss ?? undefined,
    });
    if (h < 0) throw new PilotError("cannot create the node: " + this.core.errorName(-h), this.core.errorName(-h));
    if (this.crypto) this.core.nodeDeferAead(h, { checksum: true }); // CRC-32 on node:zlib too, where there is one
    // one ACK per stream after each input (a relay batch, a batch of WebCrypto opens) instead of one per two
    // segments during it: runDue sends it after every input (bench-worker.sh download: ~1,200 ACKs per 8 MiB before)
    this.core.nodeCoalesceAcks(h);
    this.handle = h;
    this.nodeId = nodeId;
    if (saved) this.restoreSessions(h, saved);
    // a new node knows no ports yet: listen on every one onDatagram was given, before or since
    for (const port of this.datagramHandlers.keys()) this.core.nodeListen(h, port);
  }

  /**
   * Streams opened from now on are cut to the segment of the connection in use (a relay on loopback carries 4096
   * bytes whole, one on a network 1024: larger would leave it as IP fragments), as createNode does for a new node.
   * Called when a connection logged in; streams already open keep their size (PilotNode.setStreamMss says why).
   */
  private followStreamMss(): void {
    if (this.handle) this.core.nodeSetStreamMss(this.handle, this.active().streamMss ?? this.registeredStreamMss ?? undefined);
  }

  /** Our registry heartbeat while on our own outbound connection (the relay sends it for a dialled-in peer). */
  private armHeartbeat(): void {
    this.timers.set("heartbeat", HEARTBEAT_MS, () => {
      if (this.active() !== this.transport) return;
      if (this.transport.state === "ready") {
        this.signed({ type: "heartbeat", node_id: this.nodeId }, heartbeatText(this.nodeId)).catch(() => {});
      }
      this.armHeartbeat();
    });
  }

  /**
   * A relay message from either connection into the core, as bytes: no IP text on the packet path. `more`:
   * the rest of its batch follows at once, so the step (ACKs, events, timers) waits for the last one.
   */
  private messageIn(message: Uint8Array, more = false): void {
    if (isPila(message)) this.pilaIn++;
    if (this.handle) {
      this.core.nodeHandleRelayMessage(this.handle, message, this.now());
      if (!more) this.step();
    }
  }

  private newTransport(): RelayTransport {
    const t = new RelayTransport(this.relays[this.relayIndex] ?? "", b64(this.publicKey),
      (m) => this.core.ed25519Sign(this.options.identitySeed, m) ?? new Uint8Array(64), 10_000, () => this.nodeId);
    t.onMessage = (message, more) => this.messageIn(message, more);
    t.onStateChange = (state, reason, code) => {
      // a login ends what failed before it: the status tells the present (`reconnects` and the log, the past)
      if (state === "ready") this.lastError = null;
      else if (state === "closed" && !this.closed && t === this.transport && this.active() !== this.inbound) {
        this.lastError = reason;
        this.scheduleReconnect(code === CLOSE_IDLE);
      }
    };
    return t;
  }

  /**
   * After a loss: the next relay of the list, after the current backoff (doubling per failure, reset by a
   * registration). A relay that closed us for idleness is healthy: we come back to it at once, quietly.
   */
  private scheduleReconnect(idle = false): void {
    if (this.timers.has("reconnect") || this.reconnectAt !== null || this.closed) return;
    let delay = RECONNECT_MIN_MS;
    if (idle) {
      this.quietReconnect = true;
    } else {
      delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
      const from = this.relays[this.relayIndex];
      this.relayIndex = (this.relayIndex + 1) % this.relays.length;
      this.log(`relay connection lost (${this.lastError}); ${this.relays.length > 1 ? `moving from ${from} to` : "reconnecting to"}`
        + ` ${this.relays[this.relayIndex]} in ${delay} ms`);
    }
    if (this.options.dialIn && !this.busy()) {
      // nothing waits: the retry sleeps in the object's alarm, not in an in-memory timer
      this.reconnectAt = this.now() + delay;
      this.schedule();
      return;
    }
    this.timers.set("reconnect", delay, () => this.reconnectNow());
  }

  private reconnectNow(): void {
    this.reconnects++;
    this.connect().catch((e: unknown) => {
      this.lastError = errorText(e);
      this.scheduleReconnect();
    });
  }

  /** The Durable Object's alarm fired (dial-in mode): a due reconnect, then the core's due timers. */
  onAlarm(): void {
    this.alarmAt = null; // it fired: schedule() asks for the next one
    if (this.reconnectAt !== null && this.reconnectAt <= this.now()) {
      this.reconnectAt = null;
      this.reconnectNow();
    }
    this.step();
  }

  /**
   * Work in flight: streams, pings, dials, a connect, registry requests, a dial-in being authenticated.
   * While busy the peer may use in-memory timers; while not, a dial-in peer holds none.
   */
  private busy(): boolean {
    return this.streams.size > 0 || this.pings.size > 0 || this.dialing.size > 0 || this.connecting !== null
      || this.lingering || this.pumping || (this.inbound !== null && (this.inbound.pendingRequests > 0 || this.inbound.hasPending()));
  }

  /**
   * The next deadline goes to an in-memory timer while busy (or on the outbound connection, which keeps the
   * object awake anyway) and, for a dial-in peer, always to the object's one alarm (min of the core's
   * deadline and a sleeping reconnect) as well: so an idle dial-in peer holds no in-memory timer at all.
   */
  private schedule(): void {
    const next = this.handle ? this.core.nodeNextDeadline(this.handle) : null;
    const d = this.options.dialIn;
    if (d && !this.closed) {
      const at = next === null ? this.reconnectAt : this.reconnectAt === null ? next : Math.min(next, this.reconnectAt);
      if (at !== this.alarmAt) {
        this.alarmAt = at;
        d.setAlarm(at);
      }
    }
    const sleeps = d !== undefined && this.active() === this.inbound && !this.busy();
    // about to be idle, so possibly hibernated or evicted: a receive high-water mark the once-a-second limit
    // held back is saved now, or a frame from before could be accepted again after the restore
    if (sleeps && this.handle) this.saveSessionsIfDue(this.handle, true);
    if (next === null || sleeps || this.closed) {
      this.timers.clear("step");
      this.stepAt = null;
    } else if (this.stepAt === null || next < this.stepAt || !this.timers.has("step")) {
      // an armed timer due no later than the next deadline is kept: one that fires early only steps once
      // more and re-arms, while re-arming on every step cost a clearTimeout and a setTimeout per relay message
      this.stepAt = next;
      this.timers.set("step", next - this.now(), () => {
        this.stepAt = null;
        this.step();
      });
    }
  }

  private async signed(request: RegistryMessage, challenge: string, via: Transport = this.active()): Promise<RegistryMessage> {
    const sig = this.core.ed25519Sign(this.options.identitySeed, ascii(challenge));
    return via.registry({ ...request, signature: b64(sig ?? new Uint8Array(64)) });
  }

  // ---------------------------------------------------------------- the step function driver

  /** Runs due timers, moves frames out, dispatches events, and re-arms the timer for the next deadline. */
  step(): void {
    if (!this.handle) return this.schedule();
    const h = this.handle;
    this.runDue(h);
    if (this.crypto) void this.pumpCrypto(h);
    this.flushOut(h);
  }

  /** Runs the core's due timers: retransmissions, and the ACK an input owes (due at once, nodeCoalesceAcks). */
  private runDue(h: number): void {
    const d = this.core.nodeNextDeadline(h);
    if (d !== null && d <= this.now()) this.core.nodeHandleTimeout(h, this.now());
  }

  /**
   * Answers the core's crypto requests with WebCrypto, batch after batch until it asks nothing, and after each
   * batch moves out what the answers released. One pump at a time: a step while it awaits only queues more
   * requests in the core, which the running pump polls next, so answers can be neither lost nor reordered
   * across the await. A request left when the object is evicted is lost with the node it belongs to.
   */
  private async pumpCrypto(h: number): Promise<void> {
    if (this.pumping || !this.crypto) return;
    this.pumping = true;
    try {
      // the ACK an answered batch owes (coalesced, due at once) leaves when the step timer flushOut armed fires, a
      // macrotask later: by then a woken writer's data may carry it, or the next relay message be in and share it
      // (sending it within this loop made one ACK per answered batch: ~30 % more workerd CPU per echo)
      while (this.handle === h && (await this.crypto.step(h, this.now)) > 0) {
        if (this.handle !== h) break;
        // Events first, then one microtask, so that what they woke runs first (a reader's pull frees window the
        // ACK then advertises). The ACK the answered batch owes (coalesced, due at once) then leaves now, sealed
        // in the next round of this loop, a macrotask sooner than the step timer: a download runs at the speed
        // of its ACKs. Not while an echo request is being written: the echo that came back frees room, the
        // writer's next data carries the ACK, or the step timer sends it alone (sent here, an echo of single
        // segments got one ACK per segment).
        this.flushOut(h);
        await Promise.resolve();
        if (this.handle !== h) break;
        if (this.echoWriters === 0) {
          this.runDue(h);
          this.flushOut(h);
        }
      }
    } finally {
      this.pumping = false;
    }
    if (this.handle === h) this.schedule(); // no longer busy: a dial-in peer may sleep now
  }

  /** Saves the sessions if due, sends what the core released, dispatches its events, re-arms the timer. */
  private flushOut(h: number): void {
    this.saveSessionsIfDue(h); // before this step's datagrams: they may use counters only the save reserves
    const out = this.active();
    const messages: Uint8Array[] = [];
    for (let t = this.core.nodePollTransmit(h); t; t = this.core.nodePollTransmit(h)) {
      if (isPila(t.message)) this.pilaOut++;
      if (out.batchOut) messages.push(t.message);
      else if (out.send(t.message)) this.messagesOut++;
    }
    // a relay that takes batches gets this step's datagrams in as few WebSocket messages as fit 64 KiB each
    // (an echo's data segments and ACKs: one message per segment before, each a send and a relay frame)
    if (messages.length > 0) for (const m of packBatches(messages)) if (out.send(m)) this.messagesOut++;
    for (let e = this.core.nodePollEvent(h); e; e = this.core.nodePollEvent(h)) this.onEvent(e);
    this.schedule();
  }

  // ---------------------------------------------------------------- sessions across an eviction

  private async loadSessions(): Promise<Uint8Array | null> {
    try {
      return (await this.options.sessions?.load()) ?? null;
    } catch (e) {
      this.log(`cannot load saved sessions: ${errorText(e)}`);
      return null;
    }
  }

  private restoreSessions(h: number, saved: Uint8Array): void {
    const err = nodeRestore(this.core, h, saved, this.now());
    if (err !== 0) this.log(`saved sessions not restored (${this.core.errorName(err)}): peers will handshake again`);
  }

  /**
   * SNAPSHOT_DUE.REQUIRED is saved at once (a raised counter reservation must be stored before the frame that
   * uses it leaves); ADVISORY (only a receive high-water mark moved) at most every ADVISORY_SAVE_MS, since each
   * save is a storage write and holds this step's output until it is durable.
   */
  private saveSessionsIfDue(h: number, beforeSleep = false): void {
    if (!this.options.sessions) return;
    const due = this.core.nodeSnapshotDue(h);
    const now = this.now();
    if (due === SNAPSHOT_DUE.NONE
        || (due === SNAPSHOT_DUE.ADVISORY && !beforeSleep && now - this.lastSessionSave < ADVISORY_SAVE_MS)) return;
    const bytes = nodeSnapshot(this.core, h, now);
    if (bytes) this.options.sessions.save(bytes);
    this.lastSessionSave = now;
  }

  private onEvent(e: NodeEvent): void {
    switch (e.kind) {
      case "PEER_NEEDED":
        // also after a ping of ours timed out (the core's re-ask, once per 10 s per peer): the peer may have restarted
        // on another port; an answer naming another endpoint than our session's gets a fresh handshake there
        if (e.peer) {
          this.core.resolverNeeded(this.handle, e.peer.node, false, this.now());
          this.registryCalls();
        }
        break;
      case "PONG": this.pings.get(e.stream)?.resolve(e.value); this.pings.delete(e.stream); break;
      case "PING_TIMEOUT":
        this.pings.get(e.stream)?.reject(new PilotError(`no pong from ${e.peer?.text}: ${e.error}`, e.error ?? "TIMED_OUT"));
        this.pings.delete(e.stream);
        break;
      case "STREAM_OPENED": {
        const s = new PilotStream(this, e.stream);
        this.streams.set(e.stream, s);
        this.dialing.get(e.stream)?.resolve(s);
        this.dialing.delete(e.stream);
        break;
      }
      case "STREAM_READABLE": {
        const s = this.streams.get(e.stream);
        if (s) this.drainSoon(s);
        break;
      }
      case "STREAM_WRITABLE": this.streams.get(e.stream)?.writable(); break;
      case "STREAM_CLOSED": {
        const d = this.dialing.get(e.stream);
        if (d) {
          d.reject(new PilotError(`stream refused or unreachable: ${e.error}`, e.error ?? "REFUSED"));
          this.dialing.delete(e.stream);
        }
        const s = this.streams.get(e.stream);
        if (s) {
          if (e.error) s.end(e.error); // the core dropped unread data of a failed stream
          else if (!this.drainStream(s)) s.end(null); // closed cleanly and everything was read
          this.streams.delete(e.stream);
        }
        break;
      }
      case "DATAGRAM":
        if (e.peer && e.data) this.datagramHandlers.get(e.localPort)?.(e.peer.text, e.remotePort, e.data);
        break;
      default:
        break;
    }
  }

  /**
   * Makes the registry calls the core's resolver asks for (lookup → pin → resolve, its bounds and negative
   * cache are the core's) and hands it the answers. While no connection is logged in (woken, not yet
   * dialled in) they wait in the resolver, which fails what does not fit.
   */
  private registryCalls(): void {
    if (!this.handle || this.active().state !== "ready") return;
    for (let q = this.core.resolverPoll(this.handle); q; q = this.core.resolverPoll(this.handle)) {
      void this.registryCall(q.kind, q.node);
    }
  }

  private async registryCall(kind: "lookup" | "resolve", node: number): Promise<void> {
    const via = this.active(); // the connection this call goes over (the relay may dial in while it is on its way)
    try {
      if (kind === "lookup") {
        const l = await via.registry({ type: "lookup", node_id: node });
        if (l.type !== "lookup_ok") throw new RegistryRefused(String(l.error ?? "lookup failed"));
        this.core.resolverLookedUp(this.handle, node, unb64(String(l.public_key)), this.now());
      } else {
        const r = await this.signed({ type: "resolve", node_id: node, requester_id: this.nodeId }, resolveText(this.nodeId, node), via);
        if (r.type !== "resolve_ok") throw new RegistryRefused(String(r.error ?? "resolve failed"));
        const real = String(r.real_addr);
        const ep = parseHostPort(real, "IP"); // IPv4, or IPv6 as the relay and hosts spell it ("0:0:0:0:0:0:0:1:port")
        if (!ep.ok || !ep.ip) throw new Error(`the registry named an endpoint that is not IP:PORT: ${real}`);
        // another endpoint than our session's (the peer restarted on another port): the core handshakes afresh there
        this.core.resolverResolved(this.handle, node, ep.ip, ep.port, this.now());
        if (this.resolved.size < MAX_REMEMBERED_PEERS) this.resolved.add(node);
      }
    } catch (e) {
      if (!(e instanceof RegistryRefused) && this.handle && via !== this.active() && this.active().state === "ready") {
        // lost with a connection we moved off (to the relay's dial-in): the same call again over the new one, the
        // resolver's look-up (and its re-handshake) still in flight; a dialled-in Worker does not register, so
        // "asked again at the next registration" would be never (a peer kept out of the new relay's allow-list)
        void this.registryCall(kind, node);
        return;
      }
      this.log(`cannot resolve node ${node}: ${errorText(e)}`);
      if (this.handle) this.core.resolverFailed(this.handle, node, e instanceof RegistryRefused, this.now());
      // lost with the connection (a woken object asking for its restored peers on a dial-in that died), not
      // refused: asked again at the next registration, or the new relay's allow-list would lack the peer
      if (!(e instanceof RegistryRefused) && this.resolved.size < MAX_REMEMBERED_PEERS) this.resolved.add(node);
    }
    this.registryCalls();
    this.step();
  }

  // ---------------------------------------------------------------- application API

  private target(address: string): { network: number; node: number } {
    const a = this.core.addressParse(address);
    if (!a.ok || a.network === undefined || a.node === undefined) throw new PilotError(`not a Pilot address: ${address}`, "BAD_ADDRESS");
    return { network: a.network, node: a.node };
  }

  private requireNode(): number {
    if (!this.handle) throw new PilotError("not connected yet", "INVALID_STATE");
    return this.handle;
  }

  /** Control ping (spec H.2): the round trip in ms. */
  async ping(address: string): Promise<number> {
    await this.connect();
    const t = this.target(address);
    const id = this.core.nodePing(this.requireNode(), t.network, t.node, this.now());
    if (id < 0) throw new PilotError(`cannot ping ${address}: ${this.core.errorName(-id)}`, this.core.errorName(-id));
    const p = new Promise<number>((resolve, reject) => this.pings.set(id, { resolve, reject }));
    this.step();
    return p;
  }

  async openStream(address: string, port: number): Promise<PilotStream> {
    await this.connect();
    const t = this.target(address);
    const id = this.core.nodeOpenStream(this.requireNode(), t.network, t.node, port, this.now());
    if (id < 0) throw new PilotError(`cannot open ${address}:${port}: ${this.core.errorName(-id)}`, this.core.errorName(-id));
    const p = new Promise<PilotStream>((resolve, reject) => this.dialing.set(id, { resolve, reject }));
    this.step();
    return p;
  }

  async sendDatagram(address: string, port: number, data: Uint8Array): Promise<number> {
    await this.connect();
    const t = this.target(address);
    const r = this.core.nodeSendDatagram(this.requireNode(), t.network, t.node, port, data, this.now());
    if (r < 0) throw new PilotError(`cannot send a datagram: ${this.core.errorName(-r)}`, this.core.errorName(-r));
    this.step();
    return r;
  }

  onDatagram(port: number, handler: (from: string, srcPort: number, data: Uint8Array) => void): void {
    this.datagramHandlers.set(port, handler);
    if (this.handle) this.core.nodeListen(this.handle, port);
  }

  /** @internal */
  writeStream(s: PilotStream, data: Uint8Array): number {
    const n = this.core.nodeWrite(this.requireNode(), s.id, data, this.now());
    this.step();
    return n;
  }

  /** @internal: the reader wants more (ReadableStream pull). */
  pullStream(s: PilotStream): void {
    this.drainStream(s);
    this.step();
  }

  /**
   * Hands received bytes to the reader once the relay messages that already arrived are all in the core (a
   * zero-delay timer runs after them), not once per segment: each chunk costs a promise round and a write
   * on every pipe of the response body, so fewer, larger chunks make a download cheaper (bench-worker.sh).
   */
  private drainSoon(s: PilotStream): void {
    this.toDrain.add(s);
    if (this.timers.has("drain")) return;
    this.timers.set("drain", 0, () => {
      for (const x of this.toDrain) this.drainStream(x);
      this.toDrain.clear();
      this.step();
    });
  }

  /** Moves received bytes into the stream while its reader wants more; ends it at end of data. */
  private drainStream(s: PilotStream): boolean {
    if (!this.handle) return false;
    // null: the core no longer holds the stream. Then "at EOF" says nothing (a failed stream is gone
    // too): only STREAM_CLOSED ends it, with its error if it failed, so a reset never looks like an end.
    if (this.core.nodeRead(this.handle, s.id, 0, this.now()) === null) return false;
    while (s.wantsMore()) {
      const chunk = this.core.nodeRead(this.handle, s.id, 65536, this.now());
      if (!chunk || chunk.length === 0) break;
      s.push(chunk); // already our own copy (io.take slices it out of linear memory)
    }
    if (this.core.nodeAtEof(this.handle, s.id)) s.end(null);
    return true;
  }

  /** @internal */
  closeStream(s: PilotStream, mode: CloseMode = "half"): void {
    if (this.handle) this.core.nodeCloseStreamMode(this.handle, s.id, mode, this.now());
    this.step();
  }

  /** @internal */
  expectReply(s: PilotStream, reply: ReplyPolicy): void {
    if (this.handle) this.core.nodeExpectReply(this.handle, s.id, reply, this.now());
  }

  /**
   * Sends a request on a new stream the way real Pilot peers expect (they close both directions on a
   * FIN): the request is written (paced to an echo), our side stays open until the reply has ended, and
   * the returned stream's readable is the reply. A reset, timeout, short echo or a request source that
   * fails ends the readable with an error, never a clean short end.
   */
  async request(address: string, port: number, body: Uint8Array | ReadableStream<Uint8Array>,
    options: RequestOptions = {}): Promise<PilotStream> {
    const s = await this.openStream(address, port);
    const close = options.close ?? "after-reply";
    const asked = options.reply ?? (port === 7 ? { expect: "echo" as const } : { quietMs: 2_000 });
    const reply = asked.expect === "echo" && asked.maxAheadBytes === undefined ? { ...asked, maxAheadBytes: ECHO_AHEAD_BYTES } : asked;
    if (close === "after-reply") s.expectReply(reply);
    const echo = close === "after-reply" && reply.expect === "echo";
    const limit = options.maxRequestBytes ?? Number.MAX_SAFE_INTEGER;
    const pump = async (): Promise<void> => {
      try {
        if (body instanceof Uint8Array) {
          if (body.length > limit) throw new PilotError(`request over ${limit} bytes`, "LIMIT_REACHED");
          await s.write(body);
        } else {
          const reader = body.getReader();
          const next = readAhead(reader);
          let seen = 0;
          let dropped = -1; // >= 0 once the stream failed: the rest of the body is read and dropped, bounded
          for (let parts = await next(); parts; parts = await next()) {
            const value = parts.length === 1 ? parts[0]! : concat(parts);
            seen += value.byteLength;
            if (dropped >= 0 || (s.closedReason !== undefined && s.closedReason !== null)) {
              dropped = Math.max(dropped, 0) + value.byteLength;
              if (dropped > DRAIN_AFTER_FAILURE_BYTES) {
                await reader.cancel().catch(() => {});
                break;
              }
              continue;
            }
            if (seen > limit) {
              await reader.cancel().catch(() => {});
              throw new PilotError(`request over ${limit} bytes`, "LIMIT_REACHED");
            }
            try {
              await s.write(value);
            } catch {
              dropped = 0; // the stream failed under us: its end event carries why
            }
          }
          if (dropped >= 0) throw new PilotError("stream failed", s.closedReason ?? "ABORTED");
        }
        s.close(close);
      } catch (e) {
        // the request could not be sent whole: the peer must not mistake it for a complete one
        this.abortStream(s, e instanceof PilotError ? e.code : "ABORTED");
      }
    };
    if (echo) this.echoWriters++;
    s.requestSent = pump().finally(() => { if (echo) this.echoWriters--; });
    return s;
  }

  /** @internal */
  abortStream(s: PilotStream, reason = "ABORTED"): void {
    if (this.handle) this.core.nodeAbortStream(this.handle, s.id, this.now());
    s.end(reason);
    this.step();
  }

  /**
   * Stops the peer. Pending delayed ACKs go out at once, and the transport stays up for at most
   * LINGER_MS while FINs and data of ours are still unacknowledged, so peers do not retransmit into a
   * closed connection and reset.
   */
  async shutdown(): Promise<void> {
    this.lingering = true;
    const until = this.now() + LINGER_MS;
    while (this.handle && !this.core.nodeFlushStreams(this.handle, this.now()) && this.now() < until) {
      this.step();
      await new Promise((r) => setTimeout(r, 10));
    }
    if (this.handle) this.step();
    this.close();
  }

  close(): void {
    this.closed = true;
    this.timers.clearAll();
    if (this.alarmAt !== null) this.options.dialIn?.setAlarm(null);
    this.alarmAt = null;
    this.transport.close();
    this.inbound?.sendText({ type: "dial_in_cancel" }); // stopped for good: the relay may release our endpoint
    this.inbound?.close();
    if (this.handle) this.freeNode(this.handle);
    this.handle = 0;
    // what waits on this peer fails now, visibly, instead of never settling
    const aborted = (): PilotError => new PilotError("the peer was closed", "ABORTED");
    for (const p of this.pings.values()) p.reject(aborted());
    for (const d of this.dialing.values()) d.reject(aborted());
    for (const s of this.streams.values()) s.end("ABORTED"); // its reader errors, its writer is refused
    this.pings.clear();
    this.dialing.clear();
    this.streams.clear();
    this.toDrain.clear();
  }

  private freeNode(h: number): void {
    this.core.free(h);
    this.crypto?.forget(h);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
