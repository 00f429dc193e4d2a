import { defineConfig } from "vitest/config";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { createServer } from "node:net";

/** Whether `port` (0: any) can be listened on at 127.0.0.1 now; the port it got, or null. */
async function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(null));
    s.listen(port, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : null));
    });
  });
}

// A port free now, below Linux's ephemeral range (32768-60999): the ports are released here and bound later by
// the global setup's processes, and a port from the ephemeral range (what listen(0) gives) can be taken meanwhile
// as the local port of some client connection (seen once: a relay's --listen "Address already in use").
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const got = await tryPort(20_000 + Math.floor(Math.random() * 12_000));
    if (got !== null) return got;
  }
  const any = await tryPort(0);
  if (any === null) throw new Error("no free port on 127.0.0.1");
  return any;
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
