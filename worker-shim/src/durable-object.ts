// One Durable Object per Pilot identity: the keys live in its storage (created on first use, never
// logged or returned), the node lives in memory, an alarm keeps the relay connection alive.
import { DurableObject } from "cloudflare:workers";
import { handleApi, json } from "./http.js";
import { random } from "./bytes.js";
import { PilotPeer } from "./peer.js";
import type { Profile } from "./core.js";

export interface PilotEnv {
  /** ws(s)://relay:port/v1/relay: the relay (or give RELAY_URLS) */
  RELAY_URL?: string;
  /** Relays in order of preference, separated by commas or spaces: the peer fails over to the next. */
  RELAY_URLS?: string;
  /** bearer secret for the HTTP face (a Worker secret binding) */
  PILOT_API_SECRET?: string;
  /** modern (default) or feb2026 */
  PILOT_PROFILE?: string;
  PILOT: DurableObjectNamespace<PilotPeerObject>;
}

const WATCHDOG_MS = 30_000;
/** Storage key of the node's session snapshot. */
const SESSIONS_KEY = "pilot_sessions";

/** RELAY_URLS (comma- or space-separated), else RELAY_URL. */
export function relayList(env: Pick<PilotEnv, "RELAY_URL" | "RELAY_URLS">): string[] {
  return (env.RELAY_URLS ?? env.RELAY_URL ?? "").split(/[\s,]+/).filter((u) => u.length > 0);
}

export class PilotPeerObject extends DurableObject<PilotEnv> {
  private peer: Promise<PilotPeer> | null = null;

  private getPeer(): Promise<PilotPeer> {
    this.peer ??= this.createPeer();
    return this.peer;
  }

  private async createPeer(): Promise<PilotPeer> {
    let seed = await this.ctx.storage.get<Uint8Array>("identity_seed");
    if (!seed) {
      seed = random(32);
      await this.ctx.storage.put("identity_seed", seed);
    }
    const profile: Profile = this.env.PILOT_PROFILE === "feb2026" ? "feb2026" : "modern";
    const relayUrls = relayList(this.env);
    if (relayUrls.length === 0) throw new Error("no relay configured: set the RELAY_URLS (or RELAY_URL) var in wrangler.jsonc");
    const nodeId = await this.ctx.storage.get<number>("node_id");
    const peer = await PilotPeer.create({
      relayUrls,
      identitySeed: seed,
      ...(nodeId ? { nodeId } : {}),
      profile,
      onRegistered: (nodeId) => { void this.ctx.storage.put("node_id", nodeId); },
      // Sessions survive an eviction (docs/SPEC-NOTES.md #37). save() is not awaited, and need not be: the
      // output gate holds every message this object sends after a storage.put until the write is durable,
      // so no frame sealed under a raised send-counter reservation leaves before the reservation is stored.
      sessions: {
        load: async () => (await this.ctx.storage.get<Uint8Array>(SESSIONS_KEY)) ?? null,
        save: (bytes) => { void this.ctx.storage.put(SESSIONS_KEY, bytes); },
      },
      log: (line) => console.log(`[pilot] ${line}`),
    });
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    peer.connect().catch((e: unknown) => console.log(`[pilot] first connect failed: ${e instanceof Error ? e.message : String(e)}`));
    return peer;
  }

  /** The watchdog: wakes an evicted object, reconnects if needed, runs due timers. */
  override async alarm(): Promise<void> {
    const peer = await this.getPeer();
    peer.connect().catch(() => { /* the peer schedules its own reconnects */ });
    peer.step();
    await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
  }

  override async fetch(request: Request): Promise<Response> {
    try {
      const peer = await this.getPeer();
      return await handleApi(request, peer);
    } catch (e) {
      return json(503, { error: e instanceof Error ? e.message : String(e), code: "UNAVAILABLE" });
    }
  }
}
