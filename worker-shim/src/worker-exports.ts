export { PilotPeerObject, type PilotEnv } from "./durable-object.js";
export { json } from "./http.js";
