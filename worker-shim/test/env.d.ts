import type { PilotEnv } from "../src/durable-object.js";

declare global {
  namespace Cloudflare {
    interface Env extends PilotEnv {
      CONTROL_URL: string;
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    hostAddress: string;
    refLikeAddress: string;
  }
}
