export { PilotPeer, PilotStream, PilotError, MAX_RELAYS, type PeerOptions, type PeerStatus, type DialInOptions, type RequestOptions,
  type PeerSessionStore, type CloseMode, type ReplyPolicy } from "./peer.js";
export type { Profile } from "./core.js";
export { RelayTransport, type Transport, type TransportState } from "./transport.js";
export { InboundTransport, relayDialText, RELAY_IN_PATH, RELAY_IN_PROTOCOL } from "./inbound.js";
export { PilotPeerObject, type PilotEnv } from "./durable-object.js";
export { handleApi, json } from "./http.js";
export { pilotWorker, routeToPeer } from "./worker.js";
export { getCore, PlatformCryptoError } from "./core.js";
