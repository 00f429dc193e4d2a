// The example Worker as it is deployed, run by the workerd binary alone: no `wrangler dev` in front of it.
// `wrangler dev` puts a second workerd (its ProxyWorker, which every HTTP request and response body passes) and
// an inspector relay in a node process (wrangler's own) between a client and the Worker; a deployed Worker has
// neither. This bundles the Worker exactly as `wrangler deploy --dry-run --outdir` does (the bytes a deploy
// uploads), writes a workerd config for it from example/wrangler.jsonc (compatibility date and flags, vars, the
// Durable Object on SQLite on local disk) and runs `workerd serve` on it. Outbound connections (the relay's
// WebSocket) may reach loopback only. Prints "Ready on http://127.0.0.1:PORT" once the port answers.
//   node worker-shim/scripts/workerd-direct.mjs --port N --state DIR [--var NAME:VALUE]... [--inspector-port N]
//        [--minify=false] [--shim OTHER/worker-shim]
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";

const shim = fileURLToPath(new URL("../", import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const port = Number(opt("--port"));
const state = opt("--state");
const inspectorPort = opt("--inspector-port");
if (!port || !state) {
  console.error("usage: workerd-direct.mjs --port N --state DIR [--var NAME:VALUE]... [--inspector-port N] [--minify=false]");
  process.exit(2);
}
// --shim DIR: bundle another checkout's worker-shim (a baseline build), with this one's wrangler and workerd
const from = opt("--shim") ?? shim;
const configPath = join(from, "example", "wrangler.jsonc");
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "1" };

// 1. the deploy bundle: worker.js and the wasm module under the name worker.js imports it by
const bundle = join(state, "bundle");
execFileSync(process.execPath, [join(shim, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run",
  "--outdir", bundle, "--config", configPath, ...args.filter((a) => a.startsWith("--minify"))],
{ cwd: from, env, stdio: ["ignore", "ignore", "inherit"] });
const files = readdirSync(bundle);
const wasm = files.filter((f) => f.endsWith(".wasm"));
if (!files.includes("worker.js") || wasm.length === 0) throw new Error(`unexpected bundle in ${bundle}: ${files.join(", ")}`);

// 2. the config (beside the bundle: embed paths are relative to it): what `wrangler deploy` would send as the Worker's metadata, for workerd
const config = unstable_readConfig({ config: configPath }, { hideWarnings: true });
const vars = { ...config.vars };
for (let i = 0; i < args.length; i++) {
  if (args[i] !== "--var") continue;
  const at = args[i + 1].indexOf(":");
  vars[args[i + 1].slice(0, at)] = args[i + 1].slice(at + 1);
}
const text = (s) => JSON.stringify(String(s)); // a Cap'n Proto text literal is a JSON string for what we put in it
const objects = config.durable_objects.bindings;
const sqlite = new Set(config.migrations.flatMap((m) => m.new_sqlite_classes ?? []));
const disk = join(state, "objects");
mkdirSync(disk, { recursive: true });
const capnp = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # the Worker's outbound connections (its relay WebSocket): loopback only
    (name = "internet", network = (allow = ["127.0.0.0/8", "::1/128"])),
    (name = "objects", disk = (path = ${text(disk)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${text(`127.0.0.1:${port}`)}, http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "bundle/worker.js"),
${wasm.map((w) => `    (name = ${text(w)}, wasm = embed ${text(`bundle/${w}`)}),`).join("\n")}
  ],
  compatibilityDate = ${text(config.compatibility_date)},
  compatibilityFlags = [${config.compatibility_flags.map(text).join(", ")}],
  bindings = [
${Object.entries(vars).map(([k, v]) => `    (name = ${text(k)}, text = ${text(v)}),`).join("\n")}
${objects.map((o) => `    (name = ${text(o.name)}, durableObjectNamespace = ${text(o.class_name)}),`).join("\n")}
  ],
  durableObjectNamespaces = [
${objects.map((o) => `    (className = ${text(o.class_name)}, uniqueKey = ${text(`${config.name}-${o.class_name}`)}, enableSql = ${sqlite.has(o.class_name)}),`).join("\n")}
  ],
  durableObjectStorage = (localDisk = "objects"),
);
`;
const capnpPath = join(state, "workerd.capnp");
writeFileSync(capnpPath, capnp);

// 3. workerd itself (--experimental: the compatibility flags wrangler also lets through to workerd)
const workerdBin = join(shim, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
const w = spawn(workerdBin, ["serve", "--experimental", ...(inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : []),
  capnpPath], { stdio: ["ignore", "inherit", "inherit"], env });
const stop = () => { w.kill("SIGTERM"); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
w.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGTERM" ? 0 : 1)));
for (let i = 0; i < 300; i++) {
  const up = await new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
    s.on("error", () => resolve(false));
  });
  if (up) {
    console.log(`Ready on http://127.0.0.1:${port} (workerd ${w.pid}, bundle ${bundle})`);
    break;
  }
  await new Promise((r) => setTimeout(r, 100));
}
