import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { createServer } from "node:net";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

// Ports are chosen here, before workerd starts, so the Worker's RELAY_URL can name the relay that the
// global setup (Node side) starts on loopback.
// workerd must never reach Cloudflare for Request.cf (set here too for a bare `npm test`)
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export default defineConfig(async () => {
  // two relays: the Worker is given both (RELAY_URLS) and fails over from one to the other
  // and a third whose UDP side is IPv6 (::1), for a host on ::1
  const ports = { registry: await freePort(), relay: await freePort(), relay2: await freePort(), relay6: await freePort(),
    registry6: await freePort(), control: await freePort() };
  process.env.PILOT_TEST_PORTS = JSON.stringify(ports);
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./example/wrangler.jsonc" },
        miniflare: {
          bindings: {
            PILOT_API_SECRET: "test-secret",
            RELAY_URLS: `ws://127.0.0.1:${ports.relay}/v1/relay, ws://127.0.0.1:${ports.relay2}/v1/relay`,
            CONTROL_URL: `http://127.0.0.1:${ports.control}`,
            RELAY6_URL: `ws://127.0.0.1:${ports.relay6}/v1/relay`,
          },
        },
      }),
    ],
    test: {
      globalSetup: ["./test/global-setup.mjs"],
      testTimeout: 120_000,
      hookTimeout: 180_000,
      fileParallelism: false,
    },
  };
});
