// How a Worker's frames reach the Pilot network. The relay transport is the one in use; the interface
// keeps room for the upstream beacon's WebSocket compat mode (spec J) and a connect() TCP transport.
import { b64 } from "./bytes.js";
import { ascii, isBatch, relayAuthText, splitBatch } from "./edge.js";
import { errorText } from "./errors.js";

export type TransportState = "idle" | "connecting" | "ready" | "closed";

export type RegistryMessage = Record<string, unknown>;

export interface Transport {
  readonly state: TransportState;
  /** Our UDP endpoint as peers see it (ip:port), once ready. */
  readonly endpoint: string | null;
  /** The stream segment the relay said its UDP leg carries whole (auth_ok `stream_mss`, streamMssOf), once ready. */
  readonly streamMss?: number | null;
  /** The relay takes batches from us (auth_ok `"batch":true`, after we asked): send() may be given one (packBatches). */
  readonly batchOut?: boolean;
  /** Connects and logs in. Rejects with a readable reason. */
  connect(): Promise<void>;
  /**
   * Sends one relay message, `ipLen ‖ ip ‖ port ‖ frame` (edge.ts, RelayMessage), as the core polled it;
   * false when not connected (the core retransmits).
   */
  send(message: Uint8Array): boolean;
  /** One registry request (spec I.1), already signed where the protocol needs it. */
  registry(request: RegistryMessage): Promise<RegistryMessage>;
  close(reason?: string): void;
  /**
   * A relay message from the network, `ipLen ‖ ip ‖ port ‖ frame`, for the core to read as it is. `more`: further
   * messages of the same batch follow at once (splitBatch), so the receiver may step once, after the last.
   */
  onMessage: (message: Uint8Array, more?: boolean) => void;
  /** `closeCode`: the WebSocket close code when the relay closed us (1001: idle), else null. */
  onStateChange: (state: TransportState, reason: string, closeCode: number | null) => void;
}

/** The relay closes a Worker that carried no Pilot frame for its idle time (RelayProtocol.java) with this code. */
export const CLOSE_IDLE = 1001;

/** The stream segment sizes a Worker may send (StreamConfig: the default MSS up to one window unit). */
export const STREAM_MSS_MIN = 1024;
export const STREAM_MSS_MAX = 4096;

/**
 * auth_ok's `stream_mss` (RelayProtocol.java: 4096 from a relay whose UDP sockets are on loopback, 1024 from
 * one on a network) when it is a size a Worker may send, else null: the core's default (1024).
 */
export function streamMssOf(authOk: RegistryMessage): number | null {
  const v = authOk.stream_mss;
  return typeof v === "number" && Number.isInteger(v) && v >= STREAM_MSS_MIN && v <= STREAM_MSS_MAX ? v : null;
}

/** Sends one relay message on a logged-in relay socket (either direction of dialling); false when it cannot (the core retransmits). */
export function sendMessage(ws: WebSocket | null, message: Uint8Array): boolean {
  if (!ws) return false;
  try {
    ws.send(message);
    return true;
  } catch {
    return false; // closing under us: the close event follows, the core retransmits
  }
}

/**
 * Our auth_reply to the relay's auth_challenge (outbound login and dial-in alike). `batch`: we read batches
 * (splitBatch), so the relay may send the datagrams it read in one pass as one message.
 */
export function authReply(nonce: string, publicKeyBase64: string, sign: (m: Uint8Array) => Uint8Array, nodeId: number,
  batch = false): string {
  const sig = sign(ascii(relayAuthText(nonce, publicKeyBase64)));
  return JSON.stringify({
    type: "auth_reply", public_key: publicKeyBase64, sig: b64(sig), ...(nodeId ? { node_id: nodeId >>> 0 } : {}),
    ...(batch ? { batch: true } : {}),
  });
}

/**
 * Hands a binary message from the relay to `onMessage`: a single relay message as it is (the core checks the
 * header), or each message of a batch (edge.ts splitBatch) with `more` set on all but the last, so the
 * receiver steps once per batch. A malformed batch is dropped whole, like a malformed datagram: the relay
 * never sends one, and the frames in it are retransmitted. Returns the number of messages handed on.
 */
export function deliverBinary(message: Uint8Array, onMessage: (message: Uint8Array, more?: boolean) => void): number {
  if (!isBatch(message)) {
    onMessage(message);
    return 1;
  }
  const batch = splitBatch(message);
  if (!batch.ok) return 0;
  batch.messages.forEach((one, i) => onMessage(one, i < batch.messages.length - 1));
  return batch.messages.length;
}

/**
 * The pilot-host relay (RelayProtocol.java): one outbound WebSocket, a signed-challenge login, then
 * binary tunnel frames and registry requests. The relay never sees our private key: `sign` runs here.
 */
export class RelayTransport implements Transport {
  state: TransportState = "idle";
  endpoint: string | null = null;
  streamMss: number | null = null;
  batchOut = false;
  onMessage: (message: Uint8Array, more?: boolean) => void = () => {};
  onStateChange: (state: TransportState, reason: string, closeCode: number | null) => void = () => {};
  /** Any other text message from the relay (dial_in_ok, dial_in_error). */
  onControl: (message: RegistryMessage) => void = () => {};
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: RegistryMessage) => void; reject: (e: Error) => void }>();

  /**
   * @param nodeId our node id once the registry assigned it (0 before): sent in auth_reply, so a relay that
   *               does not know our key yet looks it up once and skips its provisional login step
   */
  constructor(
    readonly url: string,
    private readonly publicKeyBase64: string,
    private readonly sign: (message: Uint8Array) => Uint8Array,
    private readonly timeoutMs = 10_000,
    private readonly nodeId: () => number = () => 0,
  ) {}

  async connect(): Promise<void> {
    this.setState("connecting", "dialing " + this.url);
    const httpUrl = this.url.replace(/^ws/, "http");
    let res: Response;
    try {
      res = await fetch(httpUrl, { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": "pilot-relay.v1" } });
    } catch (e) {
      const why = `cannot reach relay ${this.url}: ${errorText(e)}`;
      this.fail(why, null);
      throw new Error(why);
    }
    const ws = res.webSocket;
    if (!ws) {
      this.fail(`relay ${this.url} refused the WebSocket upgrade (HTTP ${res.status})`, null);
      throw new Error(`relay ${this.url} refused the WebSocket upgrade (HTTP ${res.status})`);
    }
    ws.accept();
    this.ws = ws;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`relay ${this.url}: login timed out`, null);
        try { ws.close(1000, "login timed out"); } catch { /* already closed */ }
        reject(new Error(`relay ${this.url}: login timed out`));
      }, this.timeoutMs);
      ws.addEventListener("message", (ev: MessageEvent) => {
        if (this.ws !== ws) return; // a connection we already gave up
        if (typeof ev.data === "string") {
          let m: RegistryMessage;
          try {
            m = JSON.parse(ev.data) as RegistryMessage;
          } catch {
            return; // not ours to crash on: the relay speaks JSON, anything else is ignored
          }
          if (m.type === "auth_challenge") {
            ws.send(authReply(String(m.nonce), this.publicKeyBase64, this.sign, this.nodeId(), true));
          } else if (m.type === "auth_ok") {
            clearTimeout(timer);
            this.endpoint = String(m.endpoint);
            this.streamMss = streamMssOf(m);
            this.batchOut = m.batch === true; // we asked in auth_reply; an older relay says nothing
            this.setState("ready", "logged in, endpoint " + this.endpoint);
            resolve();
          } else if (m.type === "registry_reply") {
            const p = this.pending.get(Number(m.id));
            this.pending.delete(Number(m.id));
            p?.resolve((m.reply ?? {}) as RegistryMessage);
          } else {
            this.onControl(m); // dial_in_ok / dial_in_error
          }
        } else {
          deliverBinary(new Uint8Array(ev.data as ArrayBuffer), (m, more) => this.onMessage(m, more));
        }
      });
      ws.addEventListener("close", (ev: CloseEvent) => {
        clearTimeout(timer);
        if (this.ws !== ws) return;
        this.fail(`relay ${this.url} closed the connection (${ev.code} ${ev.reason})`, ev.code);
        reject(new Error(`relay ${this.url} closed the connection (${ev.code} ${ev.reason})`));
      });
      ws.addEventListener("error", () => {
        clearTimeout(timer);
        if (this.ws !== ws) return;
        this.fail(`relay ${this.url}: connection error`, null);
        reject(new Error(`relay ${this.url}: connection error`));
      });
    });
  }

  send(message: Uint8Array): boolean {
    return this.state === "ready" && sendMessage(this.ws, message);
  }

  /** Sends a text control message (dial_in, dial_in_cancel); false when not logged in. */
  sendText(message: RegistryMessage): boolean {
    if (this.state !== "ready" || !this.ws) return false;
    try {
      this.ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  registry(request: RegistryMessage): Promise<RegistryMessage> {
    if (this.state !== "ready" || !this.ws) return Promise.reject(new Error("not connected to the relay"));
    const id = this.nextId++;
    const ws = this.ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`registry ${String(request.type)} timed out`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (m) => { clearTimeout(timer); resolve(m); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      ws.send(JSON.stringify({ type: "registry", id, request }));
    });
  }

  close(reason = "closed by us"): void {
    try { this.ws?.close(1000, "bye"); } catch { /* already closed */ }
    this.fail(reason, null);
  }

  private fail(reason: string, closeCode: number | null): void {
    if (this.state === "closed") return;
    this.ws = null;
    this.endpoint = null;
    this.batchOut = false;
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    this.setState("closed", reason, closeCode);
  }

  private setState(state: TransportState, reason: string, closeCode: number | null = null): void {
    this.state = state;
    this.onStateChange(state, reason, closeCode);
  }
}
