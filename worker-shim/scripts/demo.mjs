// The demo: a Cloudflare Worker (local workerd) becomes a Pilot peer and talks to a JVM peer.
// Starts on loopback: a registry, the WebSocket relay and a JVM host (pilot-host.jar), and the example
// Worker under `wrangler dev` (or as deployed, under workerd alone: --runner, see below); then shows identities, the handshake, pings both ways, an echoed 1 MB
// stream with its SHA-256, and shuts everything down. Exit 0 on success; non-zero with a message.
//   node worker-shim/scripts/demo.mjs [--keep-running]
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const keepRunning = process.argv.includes("--keep-running");
const bench = process.argv.includes("--bench");
// --cpu-profile FILE: a V8 CPU profile of the Worker (workerd's inspector) over the 8 MiB echo
const profileAt = process.argv.indexOf("--cpu-profile");
const profileFile = profileAt > 0 ? process.argv[profileAt + 1] : null;
// --worker-mss N: the relay's stream_mss for Workers (default: 4096 on loopback), to compare segment sizes
const mssAt = process.argv.indexOf("--worker-mss");
const relayMss = mssAt > 0 ? ["--worker-mss", process.argv[mssAt + 1]] : [];
// --jfr DIR: Flight Recorder profiles of the relay and the bench host (relay.jfr, benchhost.jfr, written at exit)
const jfrAt = process.argv.indexOf("--jfr");
// --only LIST: the Worker's transfers to time (comma-separated of upload,download,echo; default all three)
const onlyAt = process.argv.indexOf("--only");
const only = onlyAt > 0 ? process.argv[onlyAt + 1].split(",") : ["upload", "download", "echo"];
// --repeat N: time each of them N times (each line printed; the table shows the median)
const repeatAt = process.argv.indexOf("--repeat");
const repeat = repeatAt > 0 ? Math.max(1, Number(process.argv[repeatAt + 1])) : 1;
// --warm-up N: untimed rounds of all three transfers on every Worker before the timed ones (default 2)
const warmAt = process.argv.indexOf("--warm-up");
const warmUps = warmAt > 0 ? Math.max(0, Number(process.argv[warmAt + 1])) : 2;
// --no-minify: the Worker bundled unminified (function names in a --cpu-profile; the deployed bundle is minified)
const minify = process.argv.includes("--no-minify") ? ["--minify=false"] : [];
// --runner LIST: how the example Worker runs (comma-separated, the first one gives the demo and the profile):
// "workerd" = the bundle `wrangler deploy --dry-run` makes, under the workerd binary alone (scripts/workerd-direct.mjs:
// nothing between a client and the Worker, as deployed); "wrangler-dev" = `wrangler dev`, whose ProxyWorker (a second
// workerd) carries every request and response body and whose node process relays the inspector. Default: wrangler-dev
// for the demo, both for --bench (each transfer on each in turn, same relay and host)
const runnerAt = process.argv.indexOf("--runner");
const runners = runnerAt > 0 ? process.argv[runnerAt + 1].split(",") : bench ? ["workerd", "wrangler-dev"] : ["wrangler-dev"];
for (const r of runners) if (r !== "workerd" && r !== "wrangler-dev") throw new Error(`--runner: unknown ${r} (workerd, wrangler-dev)`);
// --baseline DIR: one more Worker, "baseline", bundled from DIR/worker-shim (another checkout, its vendor/pilot-core
// prepared) and run as the workerd runner runs ours: each transfer alternates between them, same relay and host
// (given more than once: "baseline", "baseline2", ...)
const baselines = new Map(process.argv.flatMap((a, i) => (a === "--baseline" ? [process.argv[i + 1]] : []))
  .map((dir, i) => [i === 0 ? "baseline" : `baseline${i + 1}`, dir]));
runners.push(...baselines.keys());
const jfr = (name) => (jfrAt > 0 ? [`-XX:StartFlightRecording=filename=${join(process.argv[jfrAt + 1], name + ".jfr")},settings=profile`] : []);
const root = fileURLToPath(new URL("../../", import.meta.url));
const jar = `${root}host-udp/target/pilot-host.jar`;
const secret = randomBytes(16).toString("hex");
const children = [];
const t0 = Date.now();

const stamp = () => new Date().toISOString().slice(11, 23);
const say = (who, msg) => console.log(`${stamp()}  ${who.padEnd(7)} ${msg}`);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function start(name, cmd, args, ready, env = {}, cwd = root) {
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, detached: true, cwd });
  children.push({ name, p });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${out.slice(-2000)}`)), 60_000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) { clearTimeout(timer); resolve(m); }
    };
    p.stdout.on("data", onData);
    p.stderr.on("data", onData);
    p.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}):\n${out.slice(-2000)}`)); });
  });
}

function stopAll() {
  for (const { p } of children.reverse()) {
    try { process.kill(-p.pid, "SIGTERM"); } catch { /* gone */ }
  }
}

/** Starts V8's sampling profiler in the Worker through workerd's inspector (Chrome DevTools protocol). */
async function startProfiler(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  // the inspector proxy wants an Origin it allows (Node's WebSocket takes headers as an undici extension)
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (ev) => { const m = JSON.parse(ev.data); waiting.get(m.id)?.(m.result); waiting.delete(m.id); };
  const call = (method, params = {}) => new Promise((resolve) => { waiting.set(++id, resolve); ws.send(JSON.stringify({ id, method, params })); });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: 200 });
  await call("Profiler.start");
  return { stop: async () => { const r = await call("Profiler.stop"); ws.close(); return r.profile; } };
}

/** The test classpath of host-udp (bench-worker.sh exports it): RelayStreamBench lives in the test classes. */
function benchCp() {
  if (!process.env.PILOT_BENCH_CP) throw new Error("--bench needs PILOT_BENCH_CP (run scripts/bench-worker.sh)");
  return process.env.PILOT_BENCH_CP;
}

async function api(base, path, init = {}) {
  const r = await fetch(base + path, { ...init, headers: { authorization: `Bearer ${secret}`, ...(init.headers ?? {}) } });
  const text = init.raw ? null : await r.text();
  if (!r.ok) throw new Error(`${path} -> HTTP ${r.status}: ${text}`);
  return init.raw ? r : JSON.parse(text);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "pilot-demo-"));
  const [regPort, relayPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  const [relayAdmin, hostAdmin, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const adminArgs = (port) => (bench ? ["--admin", `127.0.0.1:${port}`] : []);
  say("demo", "Workers cannot do UDP: the Pilot core runs in the Worker as WebAssembly, and a relay carries its frames");

  await start("registry", "java", ["-jar", jar, "registry", "--listen", `127.0.0.1:${regPort}`, "--store", join(dir, "registry.json")], /registry on tcp/);
  say("registry", `listening on tcp 127.0.0.1:${regPort}`);
  await start("relay", "java", [...jfr("relay"), "-jar", jar, "relay", "--listen", `127.0.0.1:${relayPort}`, "--registry", `127.0.0.1:${regPort}`, ...adminArgs(relayAdmin), ...relayMss], /relay (?:listening )?on ws/); // stdout and the log on stderr may interleave
  say("relay", `listening on ws://127.0.0.1:${relayPort}/v1/relay`);
  const hostId = join(dir, "host.json");
  const h = await start("host", "java", ["-jar", jar, "run", "--registry", `127.0.0.1:${regPort}`, "--identity", hostId, ...adminArgs(hostAdmin)],
    /pilot host (\S+) on udp \/?([\d.:]+) \(identity [^,]+, public key (\S+)\)/);
  const hostAddr = h[1];
  say("host", `JVM peer ${hostAddr} on udp ${h[2]}, Ed25519 ${h[3]}`);

  const workers = [];
  for (const runner of runners) {
    const port = workers.length === 0 ? workerPort : await freePort();
    const inspector = workers.length === 0 ? inspectorPort : await freePort();
    // the Worker's Durable Object storage lives with this run's registry: a fresh registry gives node ids out
    // again, and sessions restored from an earlier run would name peers (and keys) this registry never knew
    const state = join(dir, `worker-state-${runner}`);
    const vars = ["--var", `RELAY_URL:ws://127.0.0.1:${relayPort}/v1/relay`, "--var", `PILOT_API_SECRET:${secret}`];
    const env = { WRANGLER_SEND_METRICS: "false", CI: "1", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
    if (runner === "wrangler-dev") {
      const wranglerBin = `${root}worker-shim/node_modules/.bin/wrangler`;
      await start(runner, wranglerBin, ["dev", "--config", "example/wrangler.jsonc", "--ip", "127.0.0.1", "--port", String(port),
        ...vars, "--show-interactive-dev-session=false", ...minify, "--inspector-port", String(inspector), "--persist-to", state],
      /Ready on/, env, `${root}worker-shim`);
    } else {
      // the inspector only when profiling: a deployed Worker has none
      const inspect = profileFile && workers.length === 0 ? ["--inspector-port", String(inspector)] : [];
      mkdirSync(state, { recursive: true });
      const other = baselines.has(runner) ? ["--shim", join(baselines.get(runner), "worker-shim")] : [];
      await start(runner, process.execPath, [`${root}worker-shim/scripts/workerd-direct.mjs`, "--port", String(port), "--state", state,
        ...vars, ...inspect, ...minify, ...other], /Ready on/, env, `${root}worker-shim`);
    }
    workers.push({ runner, port, base: `http://127.0.0.1:${port}`, inspector });
    say("worker", `example Worker running in local workerd at http://127.0.0.1:${port} (${runner === "wrangler-dev" ? "wrangler dev" : `the deploy bundle under workerd alone${baselines.has(runner) ? `, ${runner} ${baselines.get(runner)}` : ""}`})`);
  }
  const base = workers[0].base;

  const coldStart = performance.now();
  const firstStatus = await api(base, "/v1/status");
  const coldMs = performance.now() - coldStart;
  let status = firstStatus;
  for (let i = 0; i < 100; i++) {
    status = await api(base, "/v1/status");
    if (status.connection === "ready") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (status.connection !== "ready") throw new Error(`the Worker did not connect to the relay: ${JSON.stringify(status)}`);
  say("worker", `identity in its Durable Object: address ${status.address}, Ed25519 ${status.public_key}`);
  say("worker", `logged in to the relay with a signed challenge; its UDP endpoint there: ${status.relay_endpoint}`);

  const first = await api(base, "/v1/ping", { method: "POST", body: JSON.stringify({ address: hostAddr }) });
  say("worker", `PILA handshake with ${hostAddr} done, first ping (includes the handshake): ${first.rtt_ms} ms`);
  for (let i = 1; i <= 3; i++) {
    const p = await api(base, "/v1/ping", { method: "POST", body: JSON.stringify({ address: hostAddr }) });
    say("worker", `ping ${hostAddr}: seq=${i} rtt=${p.rtt_ms} ms`);
  }
  const back = await new Promise((resolve, reject) => {
    const p = spawn("java", ["-jar", jar, "ping", status.address, "-c", "2", "--registry", `127.0.0.1:${regPort}`, "--identity", hostId.replace("host", "pinger")]);
    let out = "";
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { out += d; });
    p.on("exit", (code) => (code === 0 ? resolve(out.trim().split("\n")) : reject(new Error(`JVM ping of the Worker failed:\n${out}`))));
  });
  for (const line of back) say("host", `${line}   (JVM -> UDP -> relay -> WebSocket -> Worker)`);

  const data = randomBytes(1 << 20);
  const sha = createHash("sha256").update(data).digest("hex");
  const started = performance.now();
  const res = await api(base, `/v1/streams?address=${hostAddr}&port=7`, { method: "POST", body: data, raw: true, duplex: "half" });
  const echoed = Buffer.from(await res.arrayBuffer());
  const secs = (performance.now() - started) / 1000;
  const echoSha = createHash("sha256").update(echoed).digest("hex");
  say("worker", `streamed 1 MiB to ${hostAddr}:7 (echo) and back in ${secs.toFixed(2)} s = ${(2 * data.length / secs / 1e6).toFixed(1)} MB/s both ways`);
  say("worker", `sha256 sent     ${sha}`);
  say("worker", `sha256 received ${echoSha} ${echoSha === sha ? "(equal)" : "(DIFFERENT)"}`);
  if (echoSha !== sha || echoed.length !== data.length) throw new Error("the echoed stream differs from what was sent");

  if (bench) {
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // every Worker of this run up and logged in (the first one is since the demo above)
    const cold = new Map([[workers[0].runner, coldMs]]);
    for (const w of workers.slice(1)) {
      const t = performance.now();
      let st = await api(w.base, "/v1/status");
      cold.set(w.runner, performance.now() - t);
      for (let i = 0; i < 100 && st.connection !== "ready"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        st = await api(w.base, "/v1/status");
      }
      if (st.connection !== "ready") throw new Error(`the Worker (${w.runner}) did not connect to the relay: ${JSON.stringify(st)}`);
    }
    const warm = new Map(), pings = new Map();
    for (const w of workers) {
      warm.set(w.runner, []);
      pings.set(w.runner, []);
      for (let i = 0; i < 50; i++) {
        const t = performance.now();
        await api(w.base, "/v1/status");
        warm.get(w.runner).push(performance.now() - t);
      }
      for (let i = 0; i < 100; i++) {
        const t = performance.now();
        await api(w.base, "/v1/ping", { method: "POST", body: JSON.stringify({ address: hostAddr }) });
        pings.get(w.runner).push(performance.now() - t);
      }
    }
    // wrangler dev runs two workerd: its ProxyWorker's (listening on the Worker's port, every request passes it)
    // and the Worker's own; told apart by the port on their command line
    const proxyPorts = new Set(workers.filter((w) => w.runner === "wrangler-dev").map((w) => `entry=127.0.0.1:${w.port}`));
    const scrape = async () => {
      const m = new Map();
      for (const port of [relayAdmin, hostAdmin]) {
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        for (const line of text.split("\n")) {
          const x = line.match(/^(pilot_(?:relay_frames|relay_frame_bytes|relay_drops|host_packets|host_drops)\S*)\s+([\d.eE+]+)$/);
          if (x) m.set(x[1], Number(x[2]));
        }
      }
      // CPU seconds of each process of the run (utime + stime, clock ticks of 1/100 s), descendants counted
      // with the child we started; under a runner, its workerd on its own ("workerd workerd", "wrangler-dev
      // workerd", "wrangler-dev proxy-workerd") and its node processes as "<runner> node" (wrangler's, which relays
      // the inspector; the direct runner's launcher, idle); workerd of other users of the machine as "other workerd"
      const procs = new Map();
      for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
        let stat, cmd = "";
        try { stat = readFileSync(`/proc/${pid}/stat`, "utf8"); } catch { continue; }
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        if (comm === "workerd") try { cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { /* gone */ }
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        procs.set(Number(pid), { comm, cmd, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 });
      }
      for (const [pid, x] of procs) {
        let name = null;
        for (let at = pid, hops = 0; !name && at > 1 && hops < 16; at = procs.get(at)?.ppid ?? 0, hops++) {
          const mine = children.find((c) => c.p.pid === at);
          if (mine && workers.some((w) => w.runner === mine.name)) {
            const proxy = [...proxyPorts].some((p) => x.cmd.split("\0").some((a) => a.endsWith(p)));
            name = `cpu_s ${mine.name} ${x.comm !== "workerd" ? "node" : proxy ? "proxy-workerd" : "workerd"}`;
          } else if (mine) name = `cpu_s ${mine.name}`;
        }
        if (!name && x.comm === "workerd") name = "cpu_s other workerd";
        if (name) m.set(name, (m.get(name) ?? 0) + x.cpu);
      }
      m.set("cpu_s bench (node)", process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6);
      // datagrams the kernel dropped for a full UDP receive buffer, machine-wide (the relay's, the host's, others')
      const udp = readFileSync("/proc/net/snmp", "utf8").split("\n").filter((l) => l.startsWith("Udp:")).map((l) => l.split(/\s+/));
      if (udp.length === 2) m.set("udp_rcvbuf_errors (machine)", Number(udp[1][udp[0].indexOf("RcvbufErrors")]));
      // what the Worker's node counted: datagrams in and out, and the WebSocket messages it sent them in
      for (const w of workers) {
        const st = await api(w.base, "/v1/status");
        m.set(`${w.runner}: packets_in`, st.packets_in);
        m.set(`${w.runner}: packets_out`, st.packets_out);
        m.set(`${w.runner}: messages_out`, st.messages_out);
      }
      return m;
    };
    // the three directions through every path, one after the other in this run (MB/s = 1e6 bytes/s of payload)
    const size = 8 << 20;
    const b = await start("benchhost", "java", [...jfr("benchhost"), "-cp", benchCp(), "pilot.host.relay.RelayStreamBench", "serve",
      `127.0.0.1:${regPort}`, join(dir, "bench-host.json")], /bench host (\S+) on udp/);
    const benchAddr = b[1];
    for (const w of workers) await api(w.base, "/v1/ping", { method: "POST", body: JSON.stringify({ address: benchAddr }) });
    const transfer = async (w, port, body, close, expect) => {
      const t = performance.now();
      const r = await api(w.base, `/v1/streams?address=${benchAddr}&port=${port}${close ? `&close=${close}` : ""}`,
        { method: "POST", body, raw: true, duplex: "half" });
      const n = (await r.arrayBuffer()).byteLength;
      if (n !== expect) throw new Error(`${w.runner}, port ${port}: ${n} of ${expect} bytes back`);
      return size / ((performance.now() - t) / 1000) / 1e6;
    };
    // warm-up, untimed: each Worker's first streams, and the JIT of the relay and the bench host, which in
    // production run for days (cold, each took 2-4x the CPU per byte over its first few transfers: the figures
    // before 2026-11-30 10:00 warmed with 1 MiB up and 8 MiB down only, so their echo ran on a half-cold relay)
    for (let i = 0; i < warmUps; i++) {
      for (const w of workers) {
        await transfer(w, 1001, randomBytes(size), "half", String(size).length);
        await transfer(w, 1002, String(size), "half", size);
        await transfer(w, 7, randomBytes(size), null, size);
      }
    }
    const profiler = profileFile ? await startProfiler(workers[0].inspector) : null;
    console.log(`per transfer of a Worker: relay frames (in = UDP to the Worker, out = from it), CPU seconds of each process (profile: ${workers[0].runner})`);
    const runs = new Map(workers.map((w) => [w.runner, { upload: [], download: [], echo: [] }]));
    const cpu = new Map(workers.map((w) => [w.runner, { upload: [], download: [], echo: [] }]));
    for (let i = 0; i < repeat; i++) {
      for (const [d, port, body, close, expect] of [["upload", 1001, () => randomBytes(size), "half", String(size).length],
        ["download", 1002, () => String(size), "half", size], ["echo", 7, () => randomBytes(size), null, size]]) {
        if (!only.includes(d)) continue;
        // the order turns each round: each Worker is first as often as the others (a transfer right after the
        // warm-up, or after another Worker's, ran up to 25 % slower or faster by its place alone)
        for (const w of [...workers.slice(i % workers.length), ...workers.slice(0, i % workers.length)]) {
          const before = await scrape();
          const mbs = await transfer(w, port, body(), close, expect);
          runs.get(w.runner)[d].push(mbs);
          const after = await scrape();
          const changed = [...after].filter(([k, v]) => v !== (before.get(k) ?? 0)).map(([k, v]) => [k, v - (before.get(k) ?? 0)]);
          // the CPU of everything a deployed Worker's transfer also costs: its workerd, the relay, the host, the client
          cpu.get(w.runner)[d].push(changed.filter(([k]) => k === `cpu_s ${w.runner} workerd` || k === "cpu_s relay"
            || k === "cpu_s benchhost" || k === "cpu_s bench (node)").reduce((a, [, v]) => a + v, 0));
          const delta = changed.map(([k, v]) => `${k.replace("pilot_relay_frames_total", "frames").replace("pilot_relay_frame_bytes_total", "bytes").replace("cpu_s ", "")} +${Math.round(v * 100) / 100}`);
          console.log(`  ${d} ${w.runner} ${mbs.toFixed(2)} MB/s: ${delta.join(", ")}`);
        }
      }
    }
    if (profiler) writeFileSync(profileFile, JSON.stringify(await profiler.stop()));
    const others = { host: {}, javaworker: {} };
    const lines = await new Promise((resolve, reject) => {
      const p = spawn("java", ["-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", benchCp(), "pilot.host.relay.RelayStreamBench",
        "clients", `127.0.0.1:${regPort}`, String(relayPort), benchAddr, String(size >> 20)]);
      let out = "";
      p.stdout.on("data", (d) => { out += d; });
      p.stderr.on("data", (d) => { out += d; });
      p.on("exit", (code) => (code === 0 ? resolve(out.trim().split("\n")) : reject(new Error(`RelayStreamBench clients failed:\n${out}`))));
    });
    for (const line of lines) {
      const [path, dirn, mbs] = line.split(" ");
      if (others[path] && mbs) others[path][dirn] = Number(mbs);
    }
    console.log("| Figure | Runner | Value | How |\n|---|---|---|---|");
    for (const w of workers) {
      console.log(`| Worker cold start (local workerd) | ${w.runner} | ${cold.get(w.runner).toFixed(0)} ms | first request to a fresh isolate: wasm instantiate, Durable Object, identity from storage |`);
      console.log(`| warm GET /v1/status | ${w.runner} | ${med(warm.get(w.runner)).toFixed(2)} ms median | 50 requests, wall time from Node |`);
      console.log(`| POST /v1/ping (Worker -> relay -> JVM host and back) | ${w.runner} | ${med(pings.get(w.runner)).toFixed(2)} ms median | 100 requests, wall time: an upper bound of the CPU per ping |`);
    }
    const cols = workers.map((w) => `Worker (${w.runner})`);
    console.log(`\n| 8 MiB stream, MB/s${repeat > 1 ? ` (median of ${repeat})` : ""} | ${cols.join(" | ")} | JavaWorker -> relay -> host | host -> host (UDP) | ${cols.map((c) => `${c} / JavaWorker`).join(" | ")} | ${workers.map((w) => `CPU-s: ${w.runner} workerd + relay + host + client`).join(" | ")} |`);
    console.log(`|---|${"---|".repeat(2 + 3 * workers.length)}`);
    for (const d of ["upload", "download", "echo"].filter((x) => only.includes(x))) {
      const ws = workers.map((w) => med(runs.get(w.runner)[d]));
      const j = others.javaworker[d], h = others.host[d];
      console.log(`| ${d} | ${ws.map((x) => x.toFixed(2)).join(" | ")} | ${j?.toFixed(2) ?? "-"} | ${h?.toFixed(2) ?? "-"} | ${ws.map((x) => (j ? (x / j).toFixed(2) : "-")).join(" | ")} | ${workers.map((w) => med(cpu.get(w.runner)[d]).toFixed(2)).join(" | ")} |`);
    }
    console.log(`(echo: 8 MiB each way, the figure counts one direction; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  }
  if (keepRunning) {
    say("demo", `everything is up. Try: curl -H 'Authorization: Bearer ${secret}' ${base}/v1/status`);
    say("demo", `relay ws://127.0.0.1:${relayPort}/v1/relay, registry 127.0.0.1:${regPort}, host ${hostAddr}. Ctrl-C to stop.`);
    await new Promise((r) => process.on("SIGINT", r));
  }
  say("demo", `shutting down (ran ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  stopAll();
  say("demo", "done: a Worker was a Pilot peer — handshake, pings both ways, 1 MiB echoed intact");
}

main().then(() => process.exit(0), (e) => {
  console.error(`${stamp()}  demo    FAILED: ${e.message}`);
  stopAll();
  process.exit(1);
});
