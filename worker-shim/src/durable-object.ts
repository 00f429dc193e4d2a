// One Durable Object per Pilot identity: the keys live in its storage (created on first use, never
// logged or returned), the node lives in memory. Two ways to reach the relay:
// - outbound only (PILOT_PUBLIC_URL unset): the object holds its own WebSocket to the relay and an alarm
//   watchdog; it never hibernates;
// - dial-in (PILOT_PUBLIC_URL set): the relay connects to GET /pilot/relay-in/<identity> and the object
//   accepts with ctx.acceptWebSocket, so it can hibernate while idle; every timer is then the one alarm.
import { DurableObject } from "cloudflare:workers";
import { handleApi, json, unavailable } from "./http.js";
import { random, unb64 } from "./bytes.js";
import { PilotPeer, type DialInOptions } from "./peer.js";
import { RELAY_IN_PATH, RELAY_IN_PROTOCOL, RELAY_IN_TAG } from "./inbound.js";
import type { Profile } from "./core.js";
import { errorText } from "./errors.js";

export interface PilotEnv {
  /** ws(s)://relay:port/v1/relay: the relay (or give RELAY_URLS) */
  RELAY_URL?: string;
  /** Relays in order of preference, separated by commas or spaces: the peer fails over to the next. */
  RELAY_URLS?: string;
  /** bearer secret for the HTTP face (a Worker secret binding) */
  PILOT_API_SECRET?: string;
  /** modern (default) or feb2026 */
  PILOT_PROFILE?: string;
  /**
   * The Worker's own public base URL (https://pilot.example.workers.dev): the relay dials into
   * <it>/pilot/relay-in/<identity>, so an idle object can hibernate. Absent: dial-in is off.
   */
  PILOT_PUBLIC_URL?: string;
  /** base64 Ed25519 key of the relay we let dial in; absent: the key the relay names at the first dial-in is pinned */
  RELAY_PUBLIC_KEY?: string;
  PILOT: DurableObjectNamespace<PilotPeerObject>;
}

const WATCHDOG_MS = 30_000;
/** Storage key of the node's session snapshot. */
const SESSIONS_KEY = "pilot_sessions";
/** Storage key of our endpoint at the last registration (PeerOptions.registeredEndpoint). */
const ENDPOINT_KEY = "registered_endpoint";
/** Storage key of the relay's stream_mss at that registration (PeerOptions.registeredStreamMss). */
const STREAM_MSS_KEY = "registered_stream_mss";

/** RELAY_URLS (comma- or space-separated), else RELAY_URL. */
export function relayList(env: Pick<PilotEnv, "RELAY_URL" | "RELAY_URLS">): string[] {
  return (env.RELAY_URLS ?? env.RELAY_URL ?? "").split(/[\s,]+/).filter((u) => u.length > 0);
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export class PilotPeerObject extends DurableObject<PilotEnv> {
  private peer: Promise<PilotPeer> | null = null;
  private relayKey: Uint8Array | null = null;

  constructor(ctx: DurableObjectState, env: PilotEnv) {
    super(ctx, env);
    // the relay's liveness text: answered by the runtime, without waking a hibernated object
    if (env.PILOT_PUBLIC_URL) ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** `connect`: on creation, log in outbound unless a dial-in socket is there (or on its way). */
  private getPeer(connect = true): Promise<PilotPeer> {
    this.peer ??= this.createPeer(connect);
    return this.peer;
  }

  private async createPeer(connect: boolean): Promise<PilotPeer> {
    let seed = await this.ctx.storage.get<Uint8Array>("identity_seed");
    if (!seed) {
      seed = random(32);
      await this.ctx.storage.put("identity_seed", seed);
    }
    // requests never get here with a typo (routeToPeer answers 500 CONFIG, in the same words); an object its alarm
    // woke must not run it as the default profile either
    const profile = this.env.PILOT_PROFILE ?? "modern";
    if (profile !== "modern" && profile !== "feb2026") throw new Error(`PILOT_PROFILE must be modern or feb2026, not "${profile}"`);
    const relayUrls = relayList(this.env);
    if (relayUrls.length === 0) throw new Error("no relay configured: set the RELAY_URLS (or RELAY_URL) var in wrangler.jsonc");
    const nodeId = await this.ctx.storage.get<number>("node_id");
    const registeredEndpoint = await this.ctx.storage.get<string>(ENDPOINT_KEY);
    const registeredStreamMss = await this.ctx.storage.get<number>(STREAM_MSS_KEY);
    const dialIn = await this.dialInOptions();
    const peer = await PilotPeer.create({
      relayUrls,
      identitySeed: seed,
      ...(nodeId ? { nodeId } : {}),
      profile,
      onRegistered: (nodeId) => { void this.ctx.storage.put("node_id", nodeId); },
      ...(registeredEndpoint ? { registeredEndpoint } : {}),
      ...(registeredStreamMss ? { registeredStreamMss } : {}),
      onEndpoint: (endpoint, streamMss) => {
        void this.ctx.storage.put({ [ENDPOINT_KEY]: endpoint, [STREAM_MSS_KEY]: streamMss ?? 0 });
      },
      // Sessions survive an eviction (docs/SPEC-NOTES.md #37). save() is not awaited, and need not be: the
      // output gate holds every message this object sends after a storage.put until the write is durable,
      // so no frame sealed under a raised send-counter reservation leaves before the reservation is stored.
      sessions: {
        load: async () => (await this.ctx.storage.get<Uint8Array>(SESSIONS_KEY)) ?? null,
        save: (bytes) => { void this.ctx.storage.put(SESSIONS_KEY, bytes); },
      },
      log: (line) => console.log(`[pilot] ${line}`),
      ...(dialIn ? { dialIn } : {}),
    });
    if (dialIn) {
      await peer.resume(connect);
      return peer;
    }
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    peer.connect().catch((e: unknown) => console.log(`[pilot] first connect failed: ${errorText(e)}`));
    return peer;
  }

  /** Dial-in when PILOT_PUBLIC_URL is set and we know our identity name (stored at the first request). */
  private async dialInOptions(): Promise<DialInOptions | null> {
    const base = this.env.PILOT_PUBLIC_URL;
    if (!base) return null;
    const name = await this.ctx.storage.get<string>("identity_name");
    if (!name) {
      console.log("[pilot] dial-in off: identity name unknown");
      return null;
    }
    if (this.env.RELAY_PUBLIC_KEY) this.relayKey = unb64(this.env.RELAY_PUBLIC_KEY);
    else this.relayKey = (await this.ctx.storage.get<Uint8Array>("relay_key")) ?? null;
    return {
      url: `${base.replace(/\/+$/, "")}${RELAY_IN_PATH}${name}`,
      sockets: this.ctx.getWebSockets(RELAY_IN_TAG),
      relayKey: () => this.relayKey,
      pinRelayKey: (key) => {
        this.relayKey = key;
        void this.ctx.storage.put("relay_key", key);
      },
      setAlarm: (at) => { void (at === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at)); },
    };
  }

  private async rememberName(name: string): Promise<void> {
    if (!this.env.PILOT_PUBLIC_URL || !NAME.test(name)) return;
    if ((await this.ctx.storage.get<string>("identity_name")) !== name) await this.ctx.storage.put("identity_name", name);
  }

  /** Dial-in: the relay's alarm-driven timers; outbound: the watchdog that reconnects and runs due timers. */
  override async alarm(): Promise<void> {
    const peer = await this.getPeer();
    if (this.env.PILOT_PUBLIC_URL && peer.inbound) {
      peer.onAlarm();
      return;
    }
    peer.connect().catch(() => { /* the peer schedules its own reconnects */ });
    peer.step();
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    try {
      if (url.pathname.startsWith(RELAY_IN_PATH)) return await this.relayIn(request, url.pathname.slice(RELAY_IN_PATH.length));
      await this.rememberName(url.searchParams.get("identity") ?? "default");
      // a peer made before the name was known (an identity from before PILOT_PUBLIC_URL, woken by its watchdog alarm)
      // ran outbound for good: an authenticated request starts it again, now with dial-in (never the open relay-in route)
      const current = this.env.PILOT_PUBLIC_URL ? this.peer : null;
      const old = current && (await current.catch(() => null));
      // only when the new peer will dial in (its name is stored; a router that passes a name the object refuses to
      // store would otherwise get a new outbound peer on every request), and only if no racing request replaced it
      if (old && !old.inbound && (await this.ctx.storage.get<string>("identity_name")) && this.peer === current) {
        old.close();
        this.peer = null;
      }
      const peer = await this.getPeer();
      return await handleApi(request, peer);
    } catch (e) {
      return unavailable(e);
    }
  }

  /** GET /pilot/relay-in/<identity> with Upgrade: the relay dials in; it proves its key on the socket. */
  private async relayIn(request: Request, name: string): Promise<Response> {
    if (!this.env.PILOT_PUBLIC_URL) return json(404, { error: "dial-in is off (PILOT_PUBLIC_URL is not set)", code: "NOT_FOUND" });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return json(426, { error: "the relay-in route takes a WebSocket upgrade", code: "UPGRADE_REQUIRED" });
    }
    const protocols = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
    if (!protocols.includes(RELAY_IN_PROTOCOL)) {
      return json(400, { error: `the relay-in route speaks ${RELAY_IN_PROTOCOL} only`, code: "BAD_REQUEST" });
    }
    // only an identity made through the bearer-protected API is dialled into: this route is open to anyone,
    // and creating the peer here would store a new identity key (and its name) for any name a stranger picks
    if (!this.peer && !(await this.ctx.storage.get<Uint8Array>("identity_seed"))) {
      return json(404, { error: "no such identity", code: "NOT_FOUND" });
    }
    await this.rememberName(name);
    const peer = await this.getPeer(false);
    const inbound = peer.inbound;
    if (!inbound) return json(503, { error: "dial-in is off for this identity", code: "UNAVAILABLE" });
    // strangers' silent sockets make room for a new one (InboundTransport.accept): 429 only when all proved the key
    if (!inbound.canAccept()) return json(429, { error: "other dial-ins are being authenticated", code: "BUSY" });
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [RELAY_IN_TAG]);
    inbound.accept(server);
    peer.step();
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": RELAY_IN_PROTOCOL } });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    (await this.getPeer(false)).inbound?.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    (await this.getPeer(false)).inbound?.closed(ws, `the relay's dial-in closed (${code} ${reason})`);
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    (await this.getPeer(false)).inbound?.closed(ws, `the relay's dial-in failed: ${errorText(error)}`);
  }
}
