// The whole Worker: the package's HTTP API and its Durable Object (one per Pilot identity).
import { PilotPeerObject, pilotWorker } from "@pilot-protocol/cloudflare-worker";

export { PilotPeerObject };
export default pilotWorker;
