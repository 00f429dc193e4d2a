// Run by `node --test` (npm test), not by vitest. How a reply that fails after its first byte reaches an HTTP
// client, read off a raw socket from workerd alone (as deployed: no `wrangler dev` proxy in front), with the
// test Worker test/abort-worker.ts bundled by esbuild. workerd ends a failed chunked body with a clean
// terminating chunk, so a failure is visible only in a body of declared length (src/reply-body.ts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { freePort } from "./wrangler-dev.mjs";

const shim = fileURLToPath(new URL("../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "pilot-abort-"));
let workerd = null;
let port = 0;
let log = ""; // workerd's stdout and stderr

before(async () => {
  await build({ entryPoints: [join(shim, "test/abort-worker.ts")], bundle: true, format: "esm", target: "es2022",
    outfile: join(work, "worker.js"), logLevel: "error" });
  port = await freePort();
  writeFileSync(join(work, "config.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = (modules = [(name = "worker.js", esModule = embed "worker.js")],
    compatibilityDate = "2025-06-01", compatibilityFlags = ["nodejs_compat"]))],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
`);
  const bin = join(shim, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
  workerd = spawn(bin, ["serve", join(work, "config.capnp")], { stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" } });
  workerd.stdout.on("data", (d) => { log += d; });
  workerd.stderr.on("data", (d) => { log += d; });
  for (let i = 0; ; i++) {
    const up = await new Promise((resolve) => {
      const s = connect(port, "127.0.0.1", () => { s.destroy(); resolve(true); });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (i > 100 || workerd.exitCode !== null) throw new Error(`workerd did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(() => {
  workerd?.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

/**
 * One GET on a fresh keep-alive connection; resolves with the head, the body bytes as framed (chunked or
 * Content-Length), whether the framing completed (terminating chunk seen / all declared bytes), and whether
 * the server closed the connection (within `settleMs` of a complete response).
 */
function get(path, headers = {}, settleMs = 250) {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let settled = false;
    /** The response as framed so far: null until the head is in. */
    const parse = () => {
      const at = buf.indexOf("\r\n\r\n");
      if (at < 0) return null;
      const lines = buf.subarray(0, at).toString("latin1").split("\r\n");
      const status = Number(lines[0].split(" ")[1]);
      const head = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
      const raw = buf.subarray(at + 4);
      if (head["transfer-encoding"] !== "chunked") {
        const declared = Number(head["content-length"] ?? 0);
        return { status, head, body: raw.subarray(0, declared), complete: raw.length >= declared };
      }
      const parts = [];
      let complete = false;
      for (let i = 0; ;) {
        const eol = raw.indexOf("\r\n", i);
        if (eol < 0) break;
        const size = parseInt(raw.subarray(i, eol).toString("latin1"), 16);
        if (size === 0) { complete = raw.subarray(eol, eol + 4).toString("latin1") === "\r\n\r\n"; break; }
        if (raw.length < eol + 2 + size + 2) { parts.push(raw.subarray(eol + 2)); break; }
        parts.push(raw.subarray(eol + 2, eol + 2 + size));
        i = eol + 2 + size + 2;
      }
      return { status, head, body: Buffer.concat(parts), complete };
    };
    const finish = (closed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      const r = parse();
      if (r === null) reject(new Error(`no response head (${buf.length} bytes)`));
      else resolve({ ...r, closed });
    };
    let timer = setTimeout(() => finish(false), 5_000);
    s.on("connect", () => s.write(`GET ${path} HTTP/1.1\r\nhost: pilot.test\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`));
    s.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      // a complete response on a kept-alive connection: a moment for workerd to close it, then decide
      if (parse()?.complete) { clearTimeout(timer); timer = setTimeout(() => finish(false), settleMs); }
    });
    s.on("end", () => finish(true));
    s.on("error", () => finish(true));
  });
}

const K = 16 * 1024;

test("a reply of known length that fails after its first byte is a cut transfer: Content-Length unmet, connection closed", async () => {
  const r = await get(`/reply?bytes=${4 * K}&end=fail&length=${10 * K}`);
  assert.equal(r.status, 200, "the reply had begun");
  assert.equal(r.head["content-length"], String(10 * K));
  assert.equal(r.head["transfer-encoding"], undefined);
  assert.equal(r.complete, false, `${r.body.length} of ${10 * K} bytes and the connection closed`);
  assert.equal(r.closed, true);
  assert.ok(r.body.length <= 4 * K);
});

test("measured limit: workerd logs a body it had to cut as an uncaught exception, and nothing else is left unhandled", async () => {
  // "Uncaught Error: stream ended: TIMED_OUT" in a Worker's log (twice through a Durable Object: once in the object,
  // once in the Worker that passed its body on) is this report of the cut, not a lost promise. Measured: aborting the
  // writer with any reason, closing a FixedLengthStream short, and a writer left hanging are all reported so; a cut is
  // the only way a failure after the first byte reaches the client. If this fails, update README.md ("HTTP API").
  const from = log.length;
  await get(`/reply?bytes=${4 * K}&end=fail&length=${10 * K}`);
  await new Promise((r) => setTimeout(r, 300));
  const since = log.slice(from);
  assert.match(since, /Uncaught exception: .*stream ended: TIMED_OUT/);
  assert.equal(since.match(/Uncaught/g)?.length, 1, since);
  assert.doesNotMatch(since, /in promise/);
});

test("a reply of known length that ends early (or runs long) is a cut transfer too", async () => {
  const short = await get(`/reply?bytes=${4 * K}&end=close&length=${10 * K}`);
  assert.equal(short.complete, false);
  assert.equal(short.closed, true);
  const long = await get(`/reply?bytes=${4 * K}&end=close&length=${2 * K}`);
  assert.equal(long.head["content-length"], String(2 * K));
  assert.equal(long.complete, true, "the declared bytes went out");
  assert.equal(long.closed, true, "then the connection was cut, not kept for the next request");
});

test("a reply of known length that completes is a clean body on a connection kept alive", async () => {
  const r = await get(`/reply?bytes=${10 * K}&end=close&length=${10 * K}`);
  assert.equal(r.status, 200);
  assert.equal(r.complete, true);
  assert.equal(r.closed, false);
  assert.equal(r.body.length, 10 * K);
  assert.equal(r.body[0], 0x61);
  assert.equal(r.body[9 * K], 0x61 + 9);
});

test("measured limit: workerd ends a failed chunked body (length unknown) with its terminating chunk", async () => {
  // if this fails, workerd has started cutting failed chunked bodies: update README.md ("HTTP API") and reply-body.ts
  const r = await get(`/reply?bytes=${4 * K}&end=fail`);
  assert.equal(r.head["transfer-encoding"], "chunked");
  assert.equal(r.complete, true, "0\\r\\n\\r\\n after the short body");
  assert.equal(r.body.length, 4 * K);
  assert.equal(r.closed, true, "only the closed connection tells");
  const ok = await get(`/reply?bytes=${4 * K}&end=close`);
  assert.equal(ok.complete, true);
  assert.equal(ok.closed, false);
});

test("replyLength: known for expect=N and for an echo of a request of declared length, else unknown", async () => {
  const len = async (q) => (JSON.parse((await get(`/length?${q}`, {}, 0)).body.toString())).length;
  assert.equal(await len("expect=300"), 300);
  assert.equal(await len("expect=0"), 0);
  assert.equal(await len("expect=echo&content_length=8388608"), 8388608);
  assert.equal(await len("expect=echo"), null, "a chunked upload: unknown");
  assert.equal(await len("expect=echo&content_length=1e3"), null);
  assert.equal(await len("expect=echo&content_length=-1"), null);
  assert.equal(await len("expect=300&close=half"), null, "close=half: the peer ends the reply");
  assert.equal(await len("content_length=99"), null, "quiet_ms: silence ends the reply");
});

test("the bearer check accepts exactly the secret, whatever the length or the place of a difference", async () => {
  const secret = "s3cret-token-0123456789";
  const auth = async (header) => (await get(`/auth?secret=${secret}`, header === null ? {} : { authorization: header }, 0)).status;
  assert.equal(await auth(`Bearer ${secret}`), 204);
  for (const wrong of [null, "", secret, `Bearer ${secret.slice(0, -1)}`, `Bearer ${secret}x`, `Bearer X${secret.slice(1)}`,
    `Bearer ${secret.slice(0, -1)}X`, "Bearer ", `bearer ${secret}`, `Bearer  ${secret}`]) {
    assert.equal(await auth(wrong), 401, String(wrong));
  }
});
