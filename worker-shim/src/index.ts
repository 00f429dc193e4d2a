export { PilotPeer, PilotStream, PilotError, type PeerOptions, type PeerStatus } from "./peer.js";
export { RelayTransport, type Transport, type TransportState } from "./transport.js";
export { PilotPeerObject, type PilotEnv } from "./durable-object.js";
export { handleApi } from "./http.js";
export { getCore } from "./core.js";
