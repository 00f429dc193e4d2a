// The dial-in transport: the relay connects INTO the Worker (GET /pilot/relay-in/<identity>, subprotocol
// pilot-relay-in.v1) and the Durable Object accepts with ctx.acceptWebSocket, so the runtime may hibernate
// the object while the connection stays open (it never does for a socket the object opened itself).
// The object's webSocketMessage / webSocketClose / webSocketError handlers feed this class; after a wake it
// is rebuilt from ctx.getWebSockets() and what each socket carries in its attachment.
//
// On a new socket: we send relay_challenge, the relay proves its key (relay_proof, checked against the key
// we pinned), then logs us in exactly as on an outbound connection (auth_challenge / auth_reply / auth_ok).
// From then on the messages are the outbound ones (RelayProtocol.java). Our auth_reply asks for batches
// ("batch":true), as on the outbound login: we send it only after the relay proved its key, the relay reads it
// only once our signature verified, and it changes nothing but how frames are framed on this one socket.
// auth_ok's stream_mss is kept in the socket's attachment, so a node made after a wake sends that size.
// An unauthenticated socket is
// closed after INBOUND_AUTH_MS, and at most MAX_PENDING_DIAL_INS are pending at a time: a new one makes
// room by closing the oldest that has not proven the relay key, so strangers who open sockets and stay
// silent cannot keep the real relay out (the route answers 429 only when every pending one is proven).
import type { Timers } from "./timers.js";
import { ascii, relayDialText as relayDialString } from "./edge.js";
import { authReply, deliverBinary, sendMessage, streamMssOf, type RegistryMessage, type Transport, type TransportState } from "./transport.js";

/** The WebSocket subprotocol the relay asks for when it dials in. */
export const RELAY_IN_PROTOCOL = "pilot-relay-in.v1";
/** The path prefix of the dial-in route: /pilot/relay-in/<identity name>. */
export const RELAY_IN_PATH = "/pilot/relay-in/";
/** Tag of dial-in sockets among the object's accepted WebSockets. */
export const RELAY_IN_TAG = "relay-in";
/** How long a dial-in socket may stay unauthenticated (relay_proof, then auth_ok) before we close it. */
export const INBOUND_AUTH_MS = 10_000;
/**
 * Unauthenticated dial-in sockets held at a time. Beyond, the oldest one still waiting for its relay_proof is
 * closed: to keep the real relay out, a stranger would have to open this many sockets within the real
 * relay's proof round trip, again at each of its redials (one slot was held by one silent socket for 10 s).
 */
export const MAX_PENDING_DIAL_INS = 4;
/**
 * Refused dial-ins are hostile input from anyone who can reach the route: at most one log line per this time,
 * naming how many were refused without a line since (the count is also in `refused`, on the status API).
 */
export const REFUSED_LOG_MS = 10_000;
/** Close code for a relay that failed its proof (policy violation). */
export const CLOSE_POLICY = 1008;

/** The bytes a relay signs to prove its key when it dials in (the text is edge.ts's, checked against the vectors). */
export function relayDialText(nonceHex: string, workerPublicKeyBase64: string): Uint8Array {
  return ascii(relayDialString(nonceHex, workerPublicKeyBase64));
}

/** What a dial-in socket carries across hibernation (ws.serializeAttachment). */
interface Attachment {
  /** proof: waiting for relay_proof; auth: waiting for auth_ok; ready: logged in; refused: closing, ignored */
  stage: "proof" | "auth" | "ready" | "refused";
  nonce: string;
  /** when we accepted it (ms) */
  since: number;
  endpoint?: string;
  /** auth_ok's stream_mss (streamMssOf), null when it gave none */
  streamMss?: number | null;
  /** auth_ok said `"batch":true`: the relay takes batches from us too */
  batchOut?: boolean;
  /**
   * A relay_proof that came while no relay key was pinned (stage proof): the relay dials as soon as it sent
   * dial_in_ok, so its proof can reach us before that message (trust on first use pins the key from it); checked
   * when the key is pinned (relayKeyPinned), or refused with the socket's INBOUND_AUTH_MS limit.
   */
  heldProof?: { relay_key: string; sig: string };
}

export interface InboundOptions {
  publicKeyBase64: string;
  sign: (message: Uint8Array) => Uint8Array;
  verify: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
  /** the relay key we trust (env RELAY_PUBLIC_KEY, else the one pinned at bootstrap); null: refuse every dial-in */
  relayKey: () => Uint8Array | null;
  nodeId: () => number;
  random: (n: number) => Uint8Array;
  timers: Timers;
  now: () => number;
  log: (line: string) => void;
  timeoutMs?: number;
}

function attachment(ws: WebSocket): Attachment | null {
  try {
    const a = ws.deserializeAttachment() as Attachment | null;
    return a && typeof a === "object" && typeof a.stage === "string" ? a : null;
  } catch {
    return null;
  }
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return d === 0;
}

function b64Bytes(s: unknown): Uint8Array | null {
  if (typeof s !== "string" || s.length > 200) return null;
  try {
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export class InboundTransport implements Transport {
  state: TransportState = "idle";
  endpoint: string | null = null;
  /** auth_ok's stream_mss, kept in the socket's attachment across hibernation (null: the core's default) */
  streamMss: number | null = null;
  /** auth_ok's `"batch":true` (we asked): the relay takes batches from us; kept in the attachment as well */
  batchOut = false;
  readonly url = "dial-in";
  onMessage: (message: Uint8Array, more?: boolean) => void = () => {};
  onStateChange: (state: TransportState, reason: string, closeCode: number | null) => void = () => {};
  /** dial-in sockets refused for a wrong or missing proof (status API, tests) */
  refused = 0;
  private ws: WebSocket | null = null;
  /** unauthenticated sockets, oldest first, each with its own INBOUND_AUTH_MS timer (at most MAX_PENDING_DIAL_INS) */
  private readonly pending = new Map<WebSocket, string>();
  private nextTimer = 1;
  private lastRefusedLog = -Infinity;
  private refusedUnlogged = 0;
  private nextId = 1;
  private readonly requests = new Map<number, { resolve: (m: RegistryMessage) => void; reject: (e: Error) => void }>();
  private readonly timeoutMs: number;

  /** `sockets`: the object's accepted dial-in sockets (ctx.getWebSockets(RELAY_IN_TAG)), after a wake. */
  constructor(private readonly o: InboundOptions, sockets: readonly WebSocket[] = []) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    for (const ws of sockets) {
      const a = attachment(ws);
      if (a?.stage === "ready" && !this.ws) {
        this.ws = ws;
        this.endpoint = a.endpoint ?? null;
        this.streamMss = streamMssOf({ stream_mss: a.streamMss });
        this.batchOut = a.batchOut === true;
        this.state = "ready";
      } else if (a && (a.stage === "proof" || a.stage === "auth") && this.pending.size < MAX_PENDING_DIAL_INS
          && o.now() - a.since < INBOUND_AUTH_MS) {
        this.armAuthTimer(ws, a.since + INBOUND_AUTH_MS - o.now());
      } else {
        this.closeSocket(ws, CLOSE_POLICY, "not authenticated in time");
      }
    }
    if (o.relayKey()) this.relayKeyPinned(); // a proof held across a hibernation in which the key was pinned
  }

  /** An unauthenticated dial-in socket is open. */
  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Unauthenticated dial-in sockets open now (at most MAX_PENDING_DIAL_INS). */
  get pendingSockets(): number {
    return this.pending.size;
  }

  /** Whether accept() may take another socket: a free slot, or one held by a socket that has not proven the relay key. */
  canAccept(): boolean {
    return this.pending.size < MAX_PENDING_DIAL_INS || this.oldestUnproven() !== null;
  }

  /** Registry requests waiting for their reply. */
  get pendingRequests(): number {
    return this.requests.size;
  }

  /** A socket the object just accepted: we speak first with the challenge. */
  accept(ws: WebSocket): void {
    if (this.pending.size >= MAX_PENDING_DIAL_INS) {
      const oldest = this.oldestUnproven();
      if (!oldest) return this.closeSocket(ws, 1013, "another dial-in is being authenticated"); // callers check canAccept()
      this.refuse(oldest, "replaced by a newer dial-in before its proof");
    }
    const nonce = hex(this.o.random(16));
    ws.serializeAttachment({ stage: "proof", nonce, since: this.o.now() } satisfies Attachment);
    ws.send(JSON.stringify({ type: "relay_challenge", nonce }));
    this.armAuthTimer(ws, INBOUND_AUTH_MS);
  }

  message(ws: WebSocket, data: string | ArrayBuffer): void {
    const a = attachment(ws);
    if (!a) return this.closeSocket(ws, CLOSE_POLICY, "unknown socket");
    if (a.stage === "refused") return; // what a refused relay still sent before our close reached it
    if (typeof data !== "string") {
      if (a.stage !== "ready" || ws !== this.ws) return; // frames before the login are not ours to take
      deliverBinary(new Uint8Array(data), (m, more) => this.onMessage(m, more)); // the core checks each header
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not JSON: ignored, as on the outbound connection
    }
    // null, a number or a string is no message: `m.type` on null threw out of webSocketMessage
    const m: RegistryMessage = parsed !== null && typeof parsed === "object" ? parsed as RegistryMessage : {};
    if (a.stage === "proof") {
      if (m.type !== "relay_proof" || a.heldProof) return this.refuse(ws, "expected relay_proof");
      this.checkProof(ws, a, m.relay_key, m.sig);
    } else if (m.type === "auth_challenge") {
      if (a.stage !== "auth") return;
      ws.send(authReply(String(m.nonce), this.o.publicKeyBase64, this.o.sign, this.o.nodeId(), true));
    } else if (m.type === "auth_ok") {
      if (a.stage !== "auth") return;
      const endpoint = String(m.endpoint);
      const streamMss = streamMssOf(m);
      const batchOut = m.batch === true; // we asked in auth_reply; an older relay says nothing
      ws.serializeAttachment({ ...a, stage: "ready", endpoint, streamMss, batchOut } satisfies Attachment);
      this.unpend(ws);
      const old = this.ws;
      this.ws = ws;
      this.endpoint = endpoint;
      this.streamMss = streamMss;
      this.batchOut = batchOut;
      if (old && old !== ws) this.closeSocket(old, 1000, "replaced by a newer dial-in");
      this.setState("ready", `relay dialled in, endpoint ${endpoint}`);
    } else if (m.type === "registry_reply" && a.stage === "ready") {
      const p = this.requests.get(Number(m.id));
      this.requests.delete(Number(m.id));
      this.o.timers.clear(`inbound-registry-${String(m.id)}`);
      p?.resolve((m.reply ?? {}) as RegistryMessage);
    }
  }

  /** The relay's key was pinned just now (dial_in_ok): proofs that came before it are checked against it. */
  relayKeyPinned(): void {
    for (const ws of [...this.pending.keys()]) {
      const a = attachment(ws);
      if (a?.stage === "proof" && a.heldProof) this.checkProof(ws, a, a.heldProof.relay_key, a.heldProof.sig);
    }
  }

  /** relay_proof: the pinned key's signature over our challenge moves the socket on to the login; else refused. */
  private checkProof(ws: WebSocket, a: Attachment, relayKey: unknown, signature: unknown): void {
    const pinned = this.o.relayKey();
    const key = b64Bytes(relayKey);
    const sig = b64Bytes(signature);
    if (!pinned && key && sig && !a.heldProof) {
      // no key pinned yet: our dial_in_ok may still be on its way; held (two short strings) until the pin or the limit
      ws.serializeAttachment({ ...a, heldProof: { relay_key: String(relayKey), sig: String(signature) } } satisfies Attachment);
      return;
    }
    if (!pinned || !key || !sig || !sameBytes(key, pinned)
        || !this.o.verify(pinned, relayDialText(a.nonce, this.o.publicKeyBase64), sig)) {
      return this.refuse(ws, pinned ? "wrong relay proof" : "no relay key pinned");
    }
    const { heldProof: _held, ...rest } = a;
    ws.serializeAttachment({ ...rest, stage: "auth" } satisfies Attachment);
  }

  /** webSocketClose / webSocketError of a dial-in socket. */
  closed(ws: WebSocket, reason: string): void {
    this.closeSocket(ws, 1000, "closed");
    this.unpend(ws);
    if (ws === this.ws) this.lose(reason);
  }

  connect(): Promise<void> {
    return this.state === "ready" ? Promise.resolve() : Promise.reject(new Error("the relay dials in: nothing to connect"));
  }

  send(message: Uint8Array): boolean {
    return this.state === "ready" && sendMessage(this.ws, message);
  }

  registry(request: RegistryMessage): Promise<RegistryMessage> {
    const ws = this.ws;
    if (this.state !== "ready" || !ws) return Promise.reject(new Error("the relay is not dialled in"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.o.timers.set(`inbound-registry-${id}`, this.timeoutMs, () => {
        this.requests.delete(id);
        reject(new Error(`registry ${String(request.type)} timed out`));
      });
      ws.send(JSON.stringify({ type: "registry", id, request }));
    });
  }

  /** Sends a text control message (dial_in_cancel) on the logged-in socket; false when there is none. */
  sendText(message: RegistryMessage): boolean {
    if (!this.ws || this.state !== "ready") return false;
    try {
      this.ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  close(reason = "closed by us"): void {
    if (this.ws) this.closeSocket(this.ws, 1000, "bye");
    for (const ws of [...this.pending.keys()]) {
      this.closeSocket(ws, 1000, "bye");
      this.unpend(ws);
    }
    this.lose(reason);
  }

  private refuse(ws: WebSocket, why: string): void {
    const a = attachment(ws);
    if (a) ws.serializeAttachment({ ...a, stage: "refused" } satisfies Attachment);
    this.refused++;
    const now = this.o.now();
    if (now - this.lastRefusedLog >= REFUSED_LOG_MS) {
      const left = this.refusedUnlogged > 0 ? ` (${this.refusedUnlogged} more since the last line)` : "";
      this.o.log(`dial-in refused: ${why}${left}`);
      this.lastRefusedLog = now;
      this.refusedUnlogged = 0;
    } else {
      this.refusedUnlogged++;
    }
    this.unpend(ws);
    this.closeSocket(ws, CLOSE_POLICY, why);
  }

  /** Holds `ws` as pending with its own limit of `ms`. */
  private armAuthTimer(ws: WebSocket, ms: number): void {
    const name = `inbound-auth-${this.nextTimer++}`;
    this.pending.set(ws, name);
    this.o.timers.set(name, ms, () => {
      if (this.pending.has(ws)) this.refuse(ws, "not authenticated in time");
    });
  }

  private unpend(ws: WebSocket): void {
    const name = this.pending.get(ws);
    if (name === undefined) return;
    this.pending.delete(ws);
    this.o.timers.clear(name);
  }

  /** The oldest pending socket still waiting for its relay_proof (a stranger's, or the relay's before it proved). */
  private oldestUnproven(): WebSocket | null {
    for (const ws of this.pending.keys()) {
      if (attachment(ws)?.stage === "proof") return ws;
    }
    return null;
  }

  private lose(reason: string): void {
    this.ws = null;
    this.endpoint = null;
    this.batchOut = false;
    for (const [id, p] of this.requests) {
      this.o.timers.clear(`inbound-registry-${id}`);
      p.reject(new Error(reason));
    }
    this.requests.clear();
    if (this.state !== "closed") this.setState("closed", reason);
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  private setState(state: TransportState, reason: string): void {
    this.state = state;
    this.onStateChange(state, reason, null);
  }
}
