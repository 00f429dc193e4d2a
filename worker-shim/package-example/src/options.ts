// Type-checked by the package check, not bundled: a Worker author can name every type PeerOptions uses.
import { MAX_RELAYS, type CloseMode, type PeerOptions, type PeerSessionStore, type Profile, type ReplyPolicy } from "@pilot-protocol/cloudflare-worker";

export function peerOptions(identitySeed: Uint8Array, relayUrls: string[], sessions: PeerSessionStore, profile: Profile): PeerOptions {
  if (relayUrls.length > MAX_RELAYS) throw new Error(`at most ${MAX_RELAYS} relays`);
  return { identitySeed, relayUrls, sessions, profile };
}

export const echoReply: { close: CloseMode; reply: ReplyPolicy } = { close: "after-reply", reply: { expect: "echo" } };
