// Node side of the worker-shim tests: a JVM registry, relay and host peer on loopback, plus a tiny
// control endpoint the tests (inside workerd) call to restart the relay.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const jar = fileURLToPath(new URL("../../host-udp/target/pilot-host.jar", import.meta.url));
const testClasses = fileURLToPath(new URL("../../host-udp/target/test-classes", import.meta.url));

/** Every JVM started, so a setup that fails half-way leaves none running (no teardown runs then). */
const started = [];

function java(args, readyPattern, javaArgs = ["-jar", jar]) {
  const p = spawn("java", [...javaArgs, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  started.push(p);
  let out = "";
  // each stream matched on its own: chunks of stdout and of the log on stderr interleave in `out`, so a log
  // line may land in the middle of the ready line there (as in scripts/demo.mjs, either stream may say it)
  const seen = { stdout: "", stderr: "" };
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pilot-host ${args[0]} did not start: ${out}`)), 30_000);
    const onData = (stream) => (d) => {
      out += d.toString();
      seen[stream] += d.toString();
      const m = seen[stream].match(readyPattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    p.stdout.on("data", onData("stdout"));
    p.stderr.on("data", onData("stderr"));
    p.on("exit", (code) => reject(new Error(`pilot-host ${args[0]} exited with ${code}: ${out}`)));
  });
  return { process: p, ready, log: () => out };
}

export default async function setup(project) {
  try {
    return await start(project);
  } catch (e) {
    for (const p of started) p.kill("SIGKILL");
    throw e;
  }
}

async function start(project) {
  if (!existsSync(jar)) throw new Error(`build the host first (mvn package): ${jar} is missing`);
  if (!existsSync(testClasses)) throw new Error(`build the host's tests first (mvn test-compile): ${testClasses} is missing`);
  // the shared edge vectors (test/edge.test.ts checks src/edge.ts against them inside workerd)
  project.provide("edgeVectors", JSON.parse(readFileSync(new URL("../../test-vectors/generated/edge.json", import.meta.url), "utf8")));
  const ports = JSON.parse(process.env.PILOT_TEST_PORTS);
  const dir = mkdtempSync(join(tmpdir(), "pilot-shim-test-"));
  const registry = java(["registry", "--listen", `127.0.0.1:${ports.registry}`], /registry on tcp/);
  await registry.ready;
  const relayPorts = [ports.relay, ports.relay2];
  // the second tells Workers the segment a relay on a network does (stream_mss 1024; the first, on loopback, 4096):
  // a Worker failing over to it must cut the streams it opens there to that size (fleet.test.ts)
  const startRelay = (i) => java(["relay", "--listen", `127.0.0.1:${relayPorts[i]}`, "--registry", `127.0.0.1:${ports.registry}`,
    ...(i === 1 ? ["--worker-mss", "1024"] : [])], /relay (?:listening )?on ws/);
  const relays = [startRelay(0), startRelay(1)];
  await Promise.all(relays.map((r) => r.ready));
  const host = java(["run", "--registry", `127.0.0.1:${ports.registry}`, "--identity", join(dir, "host.json")],
    /pilot host (\S+) on udp/);
  const hostAddress = (await host.ready)[1];
  project.provide("hostAddress", hostAddress);
  // a peer that closes both directions on a FIN and blocks its loop on a full queue, like the reference
  const refLike = java([join(dir, "ref.json"), `127.0.0.1:${ports.registry}`], /ref-like host (\S+) on udp/,
    ["-cp", `${testClasses}:${jar}`, "pilot.host.daemon.RefLikeEchoHost"]);
  project.provide("refLikeAddress", (await refLike.ready)[1]);
  // IPv6 on the Worker path: a relay that gives Workers UDP endpoints on ::1, and a host on ::1. The registry
  // records the address a node's TCP connection comes from, so they use a registry reached over ::1.
  const registry6 = java(["registry", "--listen", `[::1]:${ports.registry6}`], /registry on tcp/);
  await registry6.ready;
  const relay6 = java(["relay", "--listen", `127.0.0.1:${ports.relay6}`, "--udp-host", "::1", "--registry", `[::1]:${ports.registry6}`],
    /relay (?:listening )?on ws/);
  const host6 = java(["run", "--listen", "[::1]:0", "--registry", `[::1]:${ports.registry6}`, "--identity", join(dir, "host6.json")],
    /pilot host (\S+) on udp/);
  await relay6.ready;
  project.provide("host6Address", (await host6.ready)[1]);

  // /start-mover: a host (its own identity) started on demand; /restart-mover: SIGTERM it and start it again with
  // the same identity, on a new UDP port (it re-registers there). Each answers {address, endpoint}. (moved.test.ts)
  let mover = null;
  const startMover = async () => {
    mover = java(["run", "--registry", `127.0.0.1:${ports.registry}`, "--identity", join(dir, "mover.json")],
      /pilot host (\S+) on udp (\S+)/);
    const m = await mover.ready;
    return JSON.stringify({ address: m[1], endpoint: m[2] });
  };
  const stopMover = async () => {
    if (mover && mover.process.exitCode === null && mover.process.signalCode === null) {
      const exited = new Promise((r) => mover.process.once("exit", r));
      mover.process.kill("SIGTERM");
      await exited;
    }
  };

  // /restart-relay[?port=P]: kill -9 a relay (default the first) and start it again on its port;
  // /kill-relay?port=P: kill -9 it and leave it down; /start-relay?port=P: start a killed one again
  const control = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://control");
    if (url.pathname === "/start-mover" || url.pathname === "/restart-mover") {
      try {
        await stopMover();
        res.end(await startMover());
      } catch (e) {
        res.statusCode = 500;
        res.end(String(e));
      }
      return;
    }
    const port = Number(url.searchParams.get("port") ?? relayPorts[0]);
    const i = relayPorts.indexOf(port);
    const running = () => relays[i].process.exitCode === null && relays[i].process.signalCode === null;
    const kill = async () => {
      if (running()) {
        const exited = new Promise((r) => relays[i].process.once("exit", r));
        relays[i].process.kill("SIGKILL");
        await exited;
      }
    };
    const start = async () => {
      relays[i] = startRelay(i);
      await relays[i].ready;
    };
    try {
      if (i < 0) throw new Error(`no relay on port ${port}`);
      if (url.pathname === "/restart-relay") {
        await kill();
        await new Promise((r) => setTimeout(r, 300));
        await start();
        res.end("restarted");
      } else if (url.pathname === "/kill-relay") {
        await kill();
        res.end("killed");
      } else if (url.pathname === "/start-relay") {
        if (running()) throw new Error("still running");
        await start();
        res.end("started");
      } else {
        res.statusCode = 404;
        res.end();
      }
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  await new Promise((r) => control.listen(ports.control, "127.0.0.1", r));

  return async () => {
    control.close();
    for (const p of started) p.kill("SIGKILL");
  };
}
