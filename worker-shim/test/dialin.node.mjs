// Run by `node --test` (npm test), not by vitest: the name does not end in .test.mjs on purpose.
// Dial-in (issue 17) in a real workerd (`wrangler dev` on a loopback port, since the relay must reach the
// Worker over HTTP, which vitest-pool-workers cannot offer). Here the relay is a small fake written to the
// dial-in protocol (docs/DEPLOY.md, "Dial-in"), so the Worker side is checked message by message.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket as WsClient, WebSocketServer } from "ws";
import { api, freePort, startWrangler, until } from "./wrangler-dev.mjs";

const SECRET = "dialin-secret";

function rawPublic(keyObject) {
  return Buffer.from(keyObject.export({ format: "jwk" }).x, "base64url");
}

function edPublic(raw) {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

/**
 * A relay that speaks only what the Worker needs: the outbound login, register / set_visibility answers,
 * dial_in, then dialling into the Worker's URL with relay_proof and the login again (same endpoint).
 */
class FakeRelay {
  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    this.key = privateKey;
    this.publicRaw = rawPublic(publicKey);
    this.endpoint = "127.0.0.1:40123";
    this.outbound = 0; // outbound logins seen
    this.outboundOpen = 0;
    this.dialIns = []; // {url, heartbeat}
    this.inbound = null; // the socket we dialled into the Worker
    this.workerKey = null;
  }

  async listen() {
    this.server = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: () => "pilot-relay.v1" });
    await new Promise((r) => this.server.once("listening", r));
    this.server.on("connection", (ws) => this.serveOutbound(ws));
    return `ws://127.0.0.1:${this.server.address().port}/v1/relay`;
  }

  /** Logs a Worker in on `send`/`onText` (outbound or dialled in): auth_challenge, check auth_reply, auth_ok. */
  login(send, reply) {
    const nonce = randomBytes(32).toString("hex");
    send(JSON.stringify({ type: "auth_challenge", nonce }));
    return (m) => {
      if (m.type !== "auth_reply") return false;
      const ok = verify(null, Buffer.from(`pilot_relay_auth:${nonce}:${m.public_key}`), edPublic(Buffer.from(m.public_key, "base64")),
        Buffer.from(m.sig, "base64"));
      assert.ok(ok, "the Worker's auth_reply verifies");
      this.workerKey = m.public_key;
      reply(JSON.stringify({ type: "auth_ok", endpoint: this.endpoint }));
      return true;
    };
  }

  serveOutbound(ws) {
    this.outbound++;
    this.outboundOpen++;
    ws.on("close", () => { this.outboundOpen--; });
    const onAuth = this.login((t) => ws.send(t), (t) => ws.send(t));
    ws.on("message", (data, binary) => {
      if (binary) return;
      const m = JSON.parse(data.toString());
      if (onAuth(m)) return;
      if (m.type === "registry") ws.send(JSON.stringify({ type: "registry_reply", id: m.id, reply: this.registry(m.request) }));
      else if (m.type === "dial_in") {
        this.dialIns.push(m);
        if (m.url.endsWith("/mute")) return; // a relay that never answers dial_in (DIAL_IN_REPLY_MS)
        ws.send(JSON.stringify({ type: "dial_in_ok", relay_key: this.publicRaw.toString("base64") }));
        void this.dialIn(m.url, this.key);
      }
    });
  }

  registry(r) {
    if (r.type === "register") return { type: "register_ok", node_id: 4242 };
    if (r.type === "set_visibility") return { type: "set_visibility_ok" };
    return { type: "error", error: `fake relay: no ${r.type}` };
  }

  /** Dials into the Worker as the relay does; `key` signs the proof (a wrong key for the refusal test). */
  dialIn(url, key, { answer = true } = {}) {
    const ws = new WebSocket(url.replace(/^http/, "ws"), ["pilot-relay-in.v1"]);
    ws.binaryType = "arraybuffer";
    const closed = new Promise((r) => ws.addEventListener("close", (e) => r({ code: e.code, reason: e.reason })));
    const failed = new Promise((r) => ws.addEventListener("error", () => r("error")));
    let onAuth = null;
    ws.addEventListener("message", (ev) => {
      if (typeof ev.data !== "string") return;
      const m = JSON.parse(ev.data);
      if (m.type === "relay_challenge" && answer) {
        assert.match(m.nonce, /^[0-9a-f]{32}$/);
        const sig = sign(null, Buffer.from(`pilot_relay_dial:${m.nonce}:${this.workerKey}`), key);
        ws.send(JSON.stringify({ type: "relay_proof", relay_key: this.publicRaw.toString("base64"), sig: sig.toString("base64") }));
        onAuth = this.login((t) => ws.send(t), (t) => ws.send(t));
        if (key === this.key) this.inbound = ws;
      } else if (onAuth) {
        onAuth(m);
      }
    });
    return { ws, closed, failed };
  }

  close() {
    this.inbound?.close();
    if (!this.server) return;
    for (const c of this.server.clients) c.terminate();
    this.server.close();
  }
}

const relay = new FakeRelay();
const persist = mkdtempSync(join(tmpdir(), "pilot-dialin-"));
let worker = null;
after(async () => {
  relay.close();
  await worker?.kill();
  rmSync(persist, { recursive: true, force: true });
});

test("dial-in against a fake relay: an idle peer holds no outbound socket and no in-memory timer; a wrong proof is refused", async () => {
  const relayUrl = await relay.listen();
  const port = await freePort();
  worker = await startWrangler({ port, persist, vars: {
    RELAY_URL: relayUrl, PILOT_PUBLIC_URL: `http://127.0.0.1:${port}`, PILOT_API_SECRET: SECRET } });
  const call = api(worker.base, SECRET);
  const status = async () => (await call("/v1/status?identity=dialer")).body;

  // the first request creates the object: outbound login, register, dial_in; the relay dials in, the
  // Worker moves to it and closes its own socket
  const s = await until(status, (b) => b.transport === "inbound" && b.outbound_socket === false && b.timers === 0,
    20_000, "an idle dial-in peer");
  assert.equal(s.connection, "ready");
  assert.equal(s.relay_endpoint, relay.endpoint, "the dial-in login gives the same endpoint");
  assert.equal(s.alarm, null, "no deadline while idle: no alarm either");
  assert.equal(relay.dialIns.length, 1, worker.log());
  assert.equal(relay.dialIns[0].url, `http://127.0.0.1:${port}/pilot/relay-in/dialer`);
  assert.equal(relay.dialIns[0].heartbeat.node_id, 4242, "the relay gets a signed heartbeat to repeat for us");
  await until(async () => relay.outboundOpen, (n) => n === 0, 5_000, "the Worker closing its outbound socket");

  // a dialler that cannot prove the pinned relay key: closed with 1008, counted
  const { publicKey: _p, privateKey: wrong } = generateKeyPairSync("ed25519");
  const bad = relay.dialIn(`http://127.0.0.1:${port}/pilot/relay-in/dialer`, wrong);
  const c = await bad.closed;
  assert.equal(c.code, 1008, `closed for the wrong proof: ${JSON.stringify(c)}`);
  const after1 = await status();
  assert.equal(after1.dial_in_refused, 1);
  assert.equal(after1.transport, "inbound", "the real dial-in is untouched");

  // strangers who open relay-in sockets and stay silent hold at most MAX_PENDING_DIAL_INS (4) of them, each
  // closed after 10 s (INBOUND_AUTH_MS), and cannot keep the real relay out: its dial-in makes room by
  // closing the oldest unproven one (before: one silent socket made every other dial-in get 429 for 10 s,
  // again and again, and the relay's redials backed off to 60 s)
  const url = `http://127.0.0.1:${port}/pilot/relay-in/dialer`;
  const silent = [];
  for (let i = 0; i < 4; i++) {
    const one = relay.dialIn(url, wrong, { answer: false });
    await Promise.race([new Promise((r) => one.ws.addEventListener("open", r)), one.failed]);
    assert.equal(one.ws.readyState, WebSocket.OPEN, `silent stranger ${i} is held, not refused`);
    silent.push(one);
  }
  const t0 = Date.now();
  const real = relay.dialIn(url, relay.key);
  await until(status, (b) => b.dial_in_refused === 2 && b.transport === "inbound" && b.connection === "ready"
    && relay.inbound === real.ws, 5_000, "the real relay dialled in past the silent strangers");
  assert.equal(silent[0].ws.readyState === WebSocket.OPEN, false, "the oldest silent stranger made room");
  // meanwhile another identity asks a relay that never answers dial_in: after 10 s it stays outbound
  const mute = async () => (await call("/v1/status?identity=mute")).body;
  await mute();
  await until(status, (b) => b.dial_in_refused === 5, 14_000, "the other silent dial-ins refused");
  assert.ok(Date.now() - t0 > 8_000, `refused after about 10 s, not before: ${Date.now() - t0} ms`);
  for (const one of silent) one.ws.close();
  const m = await until(mute, (b) => /did not answer dial_in/.test(String(b.last_error)), 5_000, "dial_in given up");
  assert.equal(m.transport, "outbound");
  assert.equal(m.connection, "ready", "it keeps working on its own connection");
  assert.equal(m.outbound_socket, true);

  // the route refuses what is not a relay-in upgrade
  const plain = await fetch(`${worker.base}/pilot/relay-in/dialer`);
  assert.equal(plain.status, 426);

  // an identity nobody made through the API is not created by the open route: no object keys for a
  // stranger's names (before: 101, and the object stored a new identity seed and name for it)
  const made = await new Promise((resolve) => {
    const c = new WsClient(`ws://127.0.0.1:${port}/pilot/relay-in/stranger-made-${Date.now()}`, ["pilot-relay-in.v1"]);
    c.on("unexpected-response", (req, res) => { resolve(res.statusCode); req.destroy(); });
    c.on("open", () => { resolve(101); c.close(); });
    c.on("error", () => {});
  });
  assert.equal(made, 404, "refused before the upgrade");

  // the relay drops the dialled connection and never redials (it restarted and lost its dial-ins): the
  // object, woken by the close, dials out itself after INBOUND_LOST_FALLBACK_MS (10 s), asks for dial-in
  // again and is dialled in again (before: it waited for a redial that never came, unreachable until the
  // application itself sent something)
  const logins = relay.outbound;
  const dialIns = relay.dialIns.length;
  relay.inbound.close(4000, "relay restarting");
  await until(async () => relay.outbound, (n) => n > logins, 16_000, "the Worker dialling out after the relay forgot it");
  await until(status, (b) => b.transport === "inbound" && b.connection === "ready" && relay.dialIns.length === dialIns + 1,
    10_000, "dialled in again");
});

test("an identity made before PILOT_PUBLIC_URL was set is dialled into after it is, once the API is used", async () => {
  const late = new FakeRelay();
  const relayUrl = await late.listen();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pilot-late-"));
  let w = await startWrangler({ port, persist: dir, vars: { RELAY_URL: relayUrl, PILOT_API_SECRET: SECRET } });
  try {
    let status = async () => (await api(w.base, SECRET)("/v1/status?identity=late")).body;
    await until(status, (b) => b.connection === "ready" && b.transport === "outbound", 20_000, "the identity made, outbound");
    await w.kill();
    const logins = late.outbound;
    w = await startWrangler({ port, persist: dir, vars: { RELAY_URL: relayUrl, PILOT_API_SECRET: SECRET,
      PILOT_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    status = async () => (await api(w.base, SECRET)("/v1/status?identity=late")).body;
    // the object's watchdog alarm (every 30 s) wakes it first, before any API request: it logs in outbound, its name
    // unknown ("dial-in off: identity name unknown"); before, it stayed so for good (an outbound socket, no hibernation)
    await until(async () => late.outbound, (n) => n > logins, 35_000, "the alarm waking the object");
    const s = await until(status, (b) => b.transport === "inbound" && b.outbound_socket === false, 15_000,
      "dial-in after the first API request");
    assert.equal(s.connection, "ready");
    assert.equal(late.dialIns.length, 1);
    assert.equal(late.dialIns[0].url, `http://127.0.0.1:${port}/pilot/relay-in/late`);
  } finally {
    await w.kill();
    late.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------------------------------------------
// The real relay (pilot-host relay --dial-in-allow), a JVM registry and a long-lived JVM host; between the
// relay and the Worker a WebSocket proxy of the test's own, which counts key-exchange frames (PILA) both
// ways and keeps a sealed frame the host sent, to replay it after the eviction.

const jar = fileURLToPath(new URL("../../host-udp/target/pilot-host.jar", import.meta.url));
const testClasses = fileURLToPath(new URL("../../host-udp/target/test-classes", import.meta.url));
const started = [];
after(() => { for (const p of started) p.kill("SIGKILL"); });
// node --test runs one file: when a test fails half-way, nothing else must keep the process alive
after(() => setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref());

function java(args, ready, javaArgs = ["-jar", jar]) {
  const p = spawn("java", [...javaArgs, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  started.push(p);
  let out = "";
  let stdout = ""; // matched alone: a log line on stderr may land in the middle of the ready line
  const lines = [];
  const waiters = [];
  let buf = "";
  p.stdout.on("data", (d) => {
    out += d.toString();
    stdout += d.toString();
    buf += d.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  p.stderr.on("data", (d) => { out += d.toString(); });
  const readyMatch = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start: ${out}`)), 30_000);
    p.stdout.on("data", () => {
      const m = stdout.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    p.on("exit", (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
  /** One stdin command, its one answer line. */
  const command = (text) => new Promise((resolve) => {
    waiters.push(resolve);
    p.stdin.write(text + "\n");
  });
  return { process: p, ready: readyMatch, log: () => out, command, lines };
}

const PILA_MAGIC = Buffer.from("PILA");
const PILS_MAGIC = Buffer.from("PILS");

/** The frame inside a relay binary message (ipLen ‖ ip ‖ port ‖ frame). */
function frameOf(msg) {
  const n = msg[0];
  return msg.subarray(3 + n);
}

/** relay ⇄ proxy ⇄ Worker: pipes every message, counts PILAs, keeps the host's sealed frames. */
class TapProxy {
  constructor(target) {
    this.target = target;
    this.pila = { toWorker: 0, fromWorker: 0 };
    this.sealedToWorker = [];
    this.dials = 0;
    this.current = null; // the relay-side socket of the live connection
    this.upstream = null;
    this.holdRegistry = false; // when set, the Worker's registry requests are kept here, not passed on
    this.held = [];
  }

  async listen(port) {
    this.server = new WebSocketServer({ host: "127.0.0.1", port, handleProtocols: () => "pilot-relay-in.v1" });
    await new Promise((r) => this.server.once("listening", r));
    this.server.on("connection", (ws, req) => this.pipe(ws, req.url));
  }

  pipe(down, path) {
    this.dials++;
    const up = new WebSocket(`${this.target}${path}`, ["pilot-relay-in.v1"]);
    up.binaryType = "arraybuffer";
    const early = [];
    up.addEventListener("open", () => { for (const m of early.splice(0)) up.send(m); });
    up.addEventListener("message", (ev) => {
      if (this.holdRegistry && typeof ev.data === "string" && JSON.parse(ev.data).type === "registry") {
        this.held.push(JSON.parse(ev.data));
        return;
      }
      if (typeof ev.data !== "string" && frameOf(Buffer.from(ev.data)).subarray(0, 4).equals(PILA_MAGIC)) this.pila.fromWorker++;
      down.send(typeof ev.data === "string" ? ev.data : Buffer.from(ev.data), { binary: typeof ev.data !== "string" });
    });
    up.addEventListener("close", (ev) => down.close(ev.code === 1005 || ev.code === 1006 ? 1000 : ev.code, ev.reason));
    up.addEventListener("error", () => down.terminate());
    down.on("message", (data, binary) => {
      if (binary) {
        const f = frameOf(data);
        if (f.subarray(0, 4).equals(PILA_MAGIC)) this.pila.toWorker++;
        if (f.subarray(0, 4).equals(PILS_MAGIC)) this.sealedToWorker.push(Buffer.from(data));
      }
      const m = binary ? data : data.toString();
      if (up.readyState === WebSocket.OPEN) up.send(m);
      else early.push(m);
    });
    down.on("close", () => { try { up.close(); } catch { /* not open */ } });
    this.current = down;
    this.upstream = up;
  }

  /** Sends a recorded relay message to the Worker again, as if the relay had forwarded it. */
  replay(msg) {
    this.upstream.send(msg);
  }

  close() {
    for (const c of this.server.clients) c.terminate();
    this.server.close();
  }
}

test("eviction: after SIGKILL and a restart over the same storage the host's ping is answered without a new PILA,"
  + " a stream works, and a sealed frame from before is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pilot-evict-"));
  const persist2 = join(dir, "state");
  const registryPort = await freePort();
  const relayPort = await freePort();
  const proxyPort = await freePort();
  const port = await freePort();
  const registry = java(["registry", "--listen", `127.0.0.1:${registryPort}`], /registry on tcp/);
  await registry.ready;
  // the same port and key file on a restart: the Worker's pinned relay key stays valid, its endpoint does not
  const startRelay = () => java(["relay", "--listen", `127.0.0.1:${relayPort}`, "--registry", `127.0.0.1:${registryPort}`,
    "--dial-in-allow", `http://127.0.0.1:${proxyPort}/pilot/relay-in/`, "--relay-key", join(dir, "relay-key.json")], /relay on ws/);
  let relayProc = startRelay();
  const host = java([join(dir, "host.json"), `127.0.0.1:${registryPort}`], /scripted host (\S+) on udp/,
    ["-cp", `${testClasses}:${jar}`, "pilot.host.daemon.ScriptedHost"]);
  await relayProc.ready;
  const hostAddress = (await host.ready)[1];
  const proxy = new TapProxy(`ws://127.0.0.1:${port}`);
  await proxy.listen(proxyPort);
  const vars = { RELAY_URL: `ws://127.0.0.1:${relayPort}/v1/relay`, PILOT_PUBLIC_URL: `http://127.0.0.1:${proxyPort}`,
    PILOT_API_SECRET: SECRET };
  let w = await startWrangler({ port, persist: persist2, vars });
  // wrangler's log for a failure message, without the test's own status polls (they buried the [pilot] lines)
  const workerLog = () => w.log().split("\n").filter((l) => !l.includes("GET /v1/status")).join("\n").slice(-4000);
  try {
    const call = api(w.base, SECRET);
    const status = async () => (await call("/v1/status?identity=evict")).body;
    const idle = (b) => b.transport === "inbound" && b.outbound_socket === false && b.timers === 0;
    const first = await until(status, (b) => idle(b) && b.address, 20_000, "an idle dial-in peer behind the real relay")
      .catch((e) => {
        // failed once in 67 runs, beside two CPU burners: the relay's first dial was refused (dial_in_refused 1),
        // so it forgot the dial-in; the Worker's log names the refusal ("no relay key pinned", "wrong relay proof")
        throw new Error(`${e.message}\n--- relay\n${relayProc.log().slice(-3000)}\n--- wrangler\n${workerLog()}`);
      });
    const workerAddress = first.address;

    // a session both ways: the Worker pings the host (it resolves it: the relay's allow-list), then the host the Worker
    const ping = await call("/v1/ping?identity=evict", { method: "POST", body: JSON.stringify({ address: hostAddress }) });
    assert.equal(ping.status, 200, JSON.stringify(ping.body));
    assert.match(await host.command(`ping ${workerAddress}`), /^pong \d+/);
    const settled = await until(status, idle, 10_000, "idle again after the pings");
    assert.equal(settled.alarm, null, "no stream, no ping: nothing to wake for");
    const pilaBefore = { ...proxy.pila };
    assert.ok(pilaBefore.toWorker + pilaBefore.fromWorker >= 2, `one key exchange seen: ${JSON.stringify(pilaBefore)}`);
    const recorded = proxy.sealedToWorker.at(-1);
    assert.ok(recorded, "a sealed frame from the host was seen");

    // eviction without goodbye, then the same storage again
    const dialsBefore = proxy.dials;
    await w.kill();
    w = await startWrangler({ port, persist: persist2, vars });
    const t0 = Date.now();
    const pong = await host.command(`ping ${workerAddress}`);
    const wakeMs = Date.now() - t0;
    assert.match(pong, /^pong \d+/, `the host's ping after the eviction: ${pong}\n${relayProc.log().slice(-2000)}\n${workerLog()}`);
    // (by its backoff or on the ping's traffic, whichever came first)
    assert.ok(proxy.dials > dialsBefore, "the relay dialled the restarted Worker again");
    assert.deepEqual(proxy.pila, pilaBefore, "no new key exchange: the session came back from storage");
    const back = await status();
    assert.equal(back.address, workerAddress);
    assert.equal(back.pila_in + back.pila_out, 0, "the restarted object never saw a PILA");
    assert.equal(back.transport, "inbound");
    assert.match(await host.command(`echo ${workerAddress} 100000`), /^echo OK 100000$/);
    assert.deepEqual(proxy.pila, pilaBefore, "the stream used the restored session too");
    // idle again at once: the node's next deadline waits in the alarm, not in an in-memory timer — the closed
    // stream's TIME_WAIT (10 s) when this side closed last, else another of the node's deadlines; which side
    // closes last depends on timing, so only "soon, and in the alarm" is asserted (a fresh-clone run saw +51 s)
    const lingering = await until(status, (b) => idle(b) && b.alarm !== null, 8_000, "only an alarm after the stream");
    assert.ok(lingering.alarm > Date.now() - 2_000 && lingering.alarm < Date.now() + 120_000, `alarm at ${lingering.alarm}`);

    // a sealed frame from before the eviction, sent again: refused by the replay window's restored high-water
    // first the stream's last packets (a delayed ACK, a FIN's answer) must have arrived: packets_in unchanged for
    // 1 s, so that what follows counts the replayed frame alone (it flaked on a loaded machine without this)
    let lastIn = (await status()).packets_in;
    await until(async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = (await status()).packets_in;
      const same = now === lastIn;
      lastIn = now;
      return same;
    }, (same) => same, 10_000, "no more packets from the finished stream");
    const dropsBefore = (await status()).dropped ?? {};
    const inBefore = (await status()).packets_in;
    proxy.replay(recorded);
    const refused = await until(status, (b) => Object.entries(b.dropped ?? {})
      .some(([k, v]) => /REPLAY|TOO_OLD/.test(k) && v > (dropsBefore[k] ?? 0)), 5_000, "the replayed frame dropped");
    assert.equal(refused.packets_in, inBefore, "the replayed frame was not accepted");
    console.log(`# after the eviction the host's ping was answered in ${wakeMs} ms (redial if not yet done, restore, answer)`);

    // F2: the relay restarts (kill -9: it forgets the dial-in): the woken-by-dial-in object dials out after
    // INBOUND_LOST_FALLBACK_MS and registers at a NEW endpoint; a peer that follows an endpoint only on a PILA
    // (the Feb-2026 reference daemon) must get one. Before the fix the object, which never registered since
    // its wake, did not know its old endpoint, took the new one for the first and sent no PILA.
    const restartRelay = async () => {
      relayProc.process.kill("SIGKILL");
      await new Promise((r) => relayProc.process.once("exit", r));
      relayProc = startRelay();
      await relayProc.ready;
    };
    const endpointBefore = (await status()).relay_endpoint;
    const pilaOutBefore = (await status()).pila_out;
    const oldRelay = relayProc;
    await restartRelay();
    const moved = await until(status, (b) => b.connection === "ready" && b.relay_endpoint !== endpointBefore
      && b.pila_out > pilaOutBefore, 20_000, `a PILA to the restored peer after registering at a new endpoint (was ${endpointBefore})`)
      .catch((e) => {
        // failed twice in 67 runs (inbound, ready, at a new endpoint, pila_out 0); the second time the Worker logged
        // "cannot resolve node N: moved to the relay's dial-in connection": the re-handshake look-up, in flight on
        // the outbound connection when the relay dialled in, was lost with it and never asked again (a Worker bug,
        // reported to the lead, not fixed on this branch)
        throw new Error(`${e.message}\n--- relay before the restart\n${oldRelay.log().slice(-3000)}\n--- relay after\n`
          + `${relayProc.log().slice(-3000)}\n--- wrangler\n${workerLog()}`);
      });
    assert.equal(moved.address, workerAddress);

    // F3: evicted, and the relay dies while the woken object asks the registry for its restored peers on the
    // dial-in: those look-ups fail for a transport reason and must be asked again on the next registration,
    // or the new relay's allow-list lacks the host (not_allowed) and the Worker's pings time out. The proxy
    // holds the Worker's registry requests so the relay surely dies with them unanswered.
    // and nothing but the relay's dial-in may wake the restarted object: a deadline left in its alarm (the
    // stream's TIME_WAIT, a handshake retry) fires as soon as wrangler is back, and the object, woken with no
    // socket, logs in outbound and asks the registry over that connection, past this proxy (last: 0 with a dial
    // through the proxy and the Worker's outbound login in the relay's log: 4 of 9 runs killed with an alarm due
    // 0.2 s later; the dial-in won the other 5). So: idle AND no alarm, as at the first eviction above.
    const beforeKill = await until(status, (b) => idle(b) && b.alarm === null, 30_000,
      "idle on the dial-in again with no alarm left (an alarm would wake the restarted object before the dial-in)");
    await w.kill();
    // held from before the restart: the relay's backoff redial can wake the object while startWrangler still
    // waits for its ready line, and that wake's look-ups must be held too (they slipped through 1 run in 4)
    proxy.held.length = 0;
    proxy.holdRegistry = true;
    w = await startWrangler({ port, persist: persist2, vars });
    const wakePing = host.command(`ping ${workerAddress}`); // its frame makes the relay dial the Worker in now
    // 1.2-3.6 s after the kill in 49 runs (idle, and beside two CPU burners); 40 s is slack for a loaded CI machine
    const dialsAtWake = proxy.dials;
    try {
      await until(async () => proxy.held.length, (n) => n > 0, 40_000, "the woken object asking the registry on the dial-in");
    } catch (e) {
      // say whether the relay dialled at all, how the object came up (an outbound login in the relay's log means
      // something else woke it first), and what each side logged
      const now = await status().catch((err) => `status failed: ${err}`);
      throw new Error(`${e.message}; relay dials through the proxy ${dialsAtWake} -> ${proxy.dials}; the Worker before the`
        + ` kill: ${JSON.stringify(beforeKill)}, now: ${JSON.stringify(now)}\n--- relay\n`
        + `${relayProc.log().slice(-4000)}\n--- wrangler\n${workerLog()}`);
    }
    await restartRelay();
    proxy.holdRegistry = false;
    await wakePing; // answered or not: what counts is what follows
    const t1 = Date.now();
    await until(status, (b) => b.transport === "inbound" && b.connection === "ready", 20_000, "dialled in by the new relay");
    const ping2 = await call("/v1/ping?identity=evict", { method: "POST", body: JSON.stringify({ address: hostAddress }) });
    assert.equal(ping2.status, 200, `the Worker's ping after the relay restart: ${JSON.stringify(ping2.body)}`);
    assert.match(await host.command(`ping ${workerAddress}`), /^pong \d+/);
    console.log(`# after the relay restart during the wake the Worker reached the host again in ${Date.now() - t1} ms`);
  } finally {
    await w.kill();
    proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
