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
import { WebSocketServer } from "ws";
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

  // at most one unauthenticated dial-in at a time, and it is closed after 10 s (INBOUND_AUTH_MS)
  const silent = relay.dialIn(`http://127.0.0.1:${port}/pilot/relay-in/dialer`, wrong, { answer: false });
  await new Promise((r) => silent.ws.addEventListener("open", r));
  const second = relay.dialIn(`http://127.0.0.1:${port}/pilot/relay-in/dialer`, wrong, { answer: false });
  assert.equal(await Promise.race([second.failed, second.closed.then(() => "closed")]), "error", "a second pending dial-in is refused (429)");
  // (the Worker's refusal is what counts: the client's close event may come much later, when the
  // runtime drops the TCP connection)
  const t0 = Date.now();
  await until(status, (b) => b.dial_in_refused === 2, 14_000, "the silent dial-in refused");
  assert.ok(Date.now() - t0 > 8_000, `refused after about 10 s, not before: ${Date.now() - t0} ms`);
  silent.ws.close();

  // the route refuses what is not a relay-in upgrade
  const plain = await fetch(`${worker.base}/pilot/relay-in/dialer`);
  assert.equal(plain.status, 426);
});
