// The Worker's own fetch handler: a bearer-protected HTTP API routed to one Pilot peer Durable Object per
// identity. A Worker author re-exports it (`export default pilotWorker`) together with PilotPeerObject.
//   GET  /v1/status                         address, connection state, relay, peers
//   POST /v1/ping     {"address": "..."}     round-trip time
//   POST /v1/send     {"address","port","data"|"data_base64","datagram"?}
//   POST /v1/streams?address=...&port=...   request body streamed in, response streamed out
//   GET  /pilot/relay-in/<identity>          (Upgrade) the relay dialling in, when PILOT_PUBLIC_URL is set
// ?identity=NAME picks the identity (one Durable Object each; default "default").
import type { PilotEnv } from "./durable-object.js";
import { authorized } from "./bearer.js";
import { errorResponse, json, MAX_JSON_BODY_BYTES, readLimited } from "./http.js";
import { RELAY_IN_PATH } from "./inbound.js";

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks the bearer secret and the identity name, then hands the request to that identity's Durable Object. */
export async function routeToPeer(request: Request, env: PilotEnv): Promise<Response> {
  const url = new URL(request.url);
  // a typo is refused, visibly, rather than run as the default
  const profile = env.PILOT_PROFILE;
  if (profile !== undefined && profile !== "modern" && profile !== "feb2026") {
    return json(500, { error: `PILOT_PROFILE must be modern or feb2026, not "${profile}"`, code: "CONFIG" });
  }
  if (url.pathname.startsWith(RELAY_IN_PATH)) {
    // the relay dialling in: no bearer secret, it proves its key on the socket (relay_proof)
    const name = url.pathname.slice(RELAY_IN_PATH.length);
    if (!NAME.test(name)) return json(400, { error: "identity must be 1-64 letters, digits, '-' or '_'", code: "BAD_REQUEST" });
    return env.PILOT.get(env.PILOT.idFromName(name)).fetch(request);
  }
  if (!url.pathname.startsWith("/v1/")) {
    return json(404, { error: "the API lives under /v1/ (GET /v1/status)", code: "NOT_FOUND" });
  }
  if (!env.PILOT_API_SECRET) {
    return json(500, { error: "PILOT_API_SECRET is not configured (wrangler secret put PILOT_API_SECRET)", code: "CONFIG" });
  }
  if (!(await authorized(request, env.PILOT_API_SECRET))) {
    return json(401, { error: "missing or wrong bearer token", code: "UNAUTHORIZED" });
  }
  const name = url.searchParams.get("identity") ?? "default";
  if (!NAME.test(name)) {
    return json(400, { error: "identity must be 1-64 letters, digits, '-' or '_'", code: "BAD_REQUEST" });
  }
  const stub = env.PILOT.get(env.PILOT.idFromName(name));
  if (request.method !== "POST" || url.pathname === "/v1/streams" || !request.body) return stub.fetch(request);
  // a JSON body is read here, bounded, and refused (413 JSON) before the object: one that crossed into the object
  // was still pumped after the object's answer, and workerd failed the response ("Can't read from request stream
  // after response has been sent": an empty 413, the connection reset); a declared length over the limit is never read
  try {
    return await stub.fetch(new Request(request, { body: await readLimited(request, MAX_JSON_BODY_BYTES) }));
  } catch (e) {
    return errorResponse(e);
  }
}

/** The whole Worker: `export default pilotWorker` (and `export { PilotPeerObject }`). */
export const pilotWorker = {
  fetch: (request: Request, env: PilotEnv): Promise<Response> => routeToPeer(request, env),
} satisfies ExportedHandler<PilotEnv>;
