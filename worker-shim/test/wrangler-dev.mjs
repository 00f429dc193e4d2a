// Helpers for the Node-side tests that need the Worker on a real listening port: `wrangler dev` (workerd)
// over a persist directory, killable with SIGKILL (process group: wrangler and its workerd) and restartable.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const shimDir = fileURLToPath(new URL("..", import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Starts `wrangler dev` on 127.0.0.1:port with `vars` and `--persist-to persist`; resolves once it serves.
 * workerd never reaches Cloudflare (CLOUDFLARE_CF_FETCH_ENABLED=false).
 */
export async function startWrangler({ port, persist, vars }) {
  const wrangler = `${shimDir}node_modules/wrangler/bin/wrangler.js`;
  const args = [wrangler, "dev", "--config", "example/wrangler.jsonc", "--ip", "127.0.0.1", "--port", String(port),
    "--inspector-port", String(await freePort()), "--persist-to", persist, "--show-interactive-dev-session=false",
    "--log-level", "log"];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const p = spawn(process.execPath, args, {
    cwd: shimDir, detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1", NO_COLOR: "1" },
  });
  let out = "";
  p.stdout.on("data", (d) => { out += d.toString(); });
  p.stderr.on("data", (d) => { out += d.toString(); });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (p.exitCode !== null) throw new Error(`wrangler dev exited: ${out}`);
    try {
      await fetch(`${base}/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    log: () => out,
    /** SIGKILL to wrangler and its workerd (the whole group): an eviction without any goodbye. */
    kill: async () => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      try { process.kill(-p.pid, "SIGKILL"); } catch { /* gone */ }
      await exited;
    },
  };
}

/** The Worker's HTTP API with the bearer secret. */
export function api(base, secret) {
  return async (path, init = {}) => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers ?? {}) } });
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: text };
    }
  };
}

/** Polls `read` until `ok(value)`; the last value in the error otherwise. */
export async function until(read, ok, ms = 20_000, what = "condition") {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await read();
    if (ok(last)) return last;
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
