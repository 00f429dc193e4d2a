// How a Worker's frames reach the Pilot network. The relay transport is the one in use; the interface
// keeps room for the upstream beacon's WebSocket compat mode (spec J) and a connect() TCP transport.
import { b64 } from "./bytes.js";

export type TransportState = "idle" | "connecting" | "ready" | "closed";

export type RegistryMessage = Record<string, unknown>;

export interface Transport {
  readonly state: TransportState;
  /** Our UDP endpoint as peers see it (ip:port), once ready. */
  readonly endpoint: string | null;
  /** Connects and logs in. Rejects with a readable reason. */
  connect(): Promise<void>;
  /** Sends one tunnel frame to ip:port; false when not connected (the core retransmits). */
  send(ip: string, port: number, frame: Uint8Array): boolean;
  /** One registry request (spec I.1), already signed where the protocol needs it. */
  registry(request: RegistryMessage): Promise<RegistryMessage>;
  close(reason?: string): void;
  onFrame: (ip: string, port: number, frame: Uint8Array) => void;
  /** `closeCode`: the WebSocket close code when the relay closed us (1001: idle), else null. */
  onStateChange: (state: TransportState, reason: string, closeCode: number | null) => void;
}

/** The relay closes a Worker that carried no Pilot frame for its idle time (RelayProtocol.java) with this code. */
export const CLOSE_IDLE = 1001;

const encoder = new TextEncoder();


/**
 * An IP address as its 4 or 16 bytes, from any spelling the relay, the registry or the core uses: dotted
 * IPv4, IPv6 as 32 hex digits (the core's), or IPv6 with colons ("::1", "0:0:0:0:0:0:0:1", "[::1]"; a
 * "%zone" is dropped). Null when it is none of these.
 */
export function ipBytes(text: string): Uint8Array | null {
  let t = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(t)) {
    const parts = t.split(".").map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : null;
  }
  if (/^[0-9a-fA-F]{32}$/.test(t)) return Uint8Array.from({ length: 16 }, (_, i) => parseInt(t.slice(2 * i, 2 * i + 2), 16));
  const halves = t.split("::");
  if (!t.includes(":") || halves.length > 2) return null;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (halves.length === 2 ? head.length + tail.length > 7 : head.length !== 8) return null;
  const all = [...head, ...Array<string>(8 - head.length - tail.length).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** The spelling the core takes (Endpoint.parse): dotted IPv4, or IPv6 as 32 hex digits. */
export function coreIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? Array.from(bytes).join(".") : Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** ipLen(1) ‖ ip ‖ port(2) ‖ frame — the relay's binary message layout (RelayProtocol.java); null: not an IP. */
export function packDatagram(ip: string, port: number, frame: Uint8Array): Uint8Array | null {
  const addr = ipBytes(ip);
  if (!addr) return null;
  const n = addr.length;
  const out = new Uint8Array(1 + n + 2 + frame.length);
  out[0] = n;
  out.set(addr, 1);
  out[1 + n] = port >> 8;
  out[2 + n] = port & 0xff;
  out.set(frame, 3 + n);
  return out;
}

/** Sends one tunnel frame on a logged-in relay socket (either direction of dialling); false when it cannot (the core retransmits). */
export function sendFrame(ws: WebSocket | null, ip: string, port: number, frame: Uint8Array): boolean {
  const msg = ws ? packDatagram(ip, port, frame) : null;
  if (!ws || !msg) return false;
  try {
    ws.send(msg);
    return true;
  } catch {
    return false; // closing under us: the close event follows, the core retransmits
  }
}

/** Our auth_reply to the relay's auth_challenge (outbound login and dial-in alike): the one builder of `pilot_relay_auth:`. */
export function authReply(nonce: string, publicKeyBase64: string, sign: (m: Uint8Array) => Uint8Array, nodeId: number): string {
  const sig = sign(encoder.encode(`pilot_relay_auth:${nonce}:${publicKeyBase64}`));
  return JSON.stringify({ type: "auth_reply", public_key: publicKeyBase64, sig: b64(sig), ...(nodeId ? { node_id: nodeId >>> 0 } : {}) });
}

export function unpackDatagram(msg: Uint8Array): { ip: string; port: number; frame: Uint8Array } | null {
  const n = msg[0];
  if ((n !== 4 && n !== 16) || msg.length < 3 + n) return null;
  const ip = coreIp(msg.subarray(1, 1 + n));
  const port = ((msg[1 + n] ?? 0) << 8) | (msg[2 + n] ?? 0);
  return { ip, port, frame: msg.subarray(3 + n) };
}

/**
 * The pilot-host relay (RelayProtocol.java): one outbound WebSocket, a signed-challenge login, then
 * binary tunnel frames and registry requests. The relay never sees our private key: `sign` runs here.
 */
export class RelayTransport implements Transport {
  state: TransportState = "idle";
  endpoint: string | null = null;
  onFrame: (ip: string, port: number, frame: Uint8Array) => void = () => {};
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
      const why = `cannot reach relay ${this.url}: ${e instanceof Error ? e.message : String(e)}`;
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
            ws.send(authReply(String(m.nonce), this.publicKeyBase64, this.sign, this.nodeId()));
          } else if (m.type === "auth_ok") {
            clearTimeout(timer);
            this.endpoint = String(m.endpoint);
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
          const bytes = new Uint8Array(ev.data as ArrayBuffer);
          const d = unpackDatagram(bytes);
          if (d) this.onFrame(d.ip, d.port, d.frame);
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

  send(ip: string, port: number, frame: Uint8Array): boolean {
    return this.state === "ready" && sendFrame(this.ws, ip, port, frame);
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
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
    this.setState("closed", reason, closeCode);
  }

  private setState(state: TransportState, reason: string, closeCode: number | null = null): void {
    this.state = state;
    this.onStateChange(state, reason, closeCode);
  }
}
