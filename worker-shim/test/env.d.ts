import type { PilotEnv } from "../src/durable-object.js";

declare global {
  namespace Cloudflare {
    interface Env extends PilotEnv {
      CONTROL_URL: string;
      /** a relay whose Workers' UDP endpoints are on ::1 */
      RELAY6_URL: string;
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    hostAddress: string;
    refLikeAddress: string;
    /** a JVM host listening on udp [::1] */
    host6Address: string;
    /** test-vectors/generated/edge.json */
    edgeVectors: import("./edge.test.js").EdgeVectors;
  }
}
