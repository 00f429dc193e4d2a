// Run by `node --test` (npm test), not by vitest. What a new user met running the example Worker under
// `wrangler dev`, checked the way they met it: a real HTTP client on a socket, and wrangler's own log. No relay
// listens here (the peer's connection attempts fail in the background): these answers need none.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startWrangler } from "./wrangler-dev.mjs";

const SECRET = "probe-secret";
const persist = mkdtempSync(join(tmpdir(), "pilot-probe-"));
let worker = null;

before(async () => {
  const port = await freePort();
  worker = await startWrangler({ port, persist, vars: {
    RELAY_URL: `ws://127.0.0.1:${await freePort()}/v1/relay`, PILOT_API_SECRET: SECRET } });
});

after(async () => {
  await worker?.kill();
  rmSync(persist, { recursive: true, force: true });
});

/** wrangler's log since `from` (a length of it), without the request lines. */
const logSince = (from) => worker.log().slice(from).split("\n").filter((l) => !/\[wrangler:info\]/.test(l)).join("\n");

/**
 * POSTs `size` bytes to `path` with their Content-Length declared, written in 1 MiB pieces until the answer comes (as
 * curl does once its Expect: 100-continue has waited 1 s: `wrangler dev` does not answer it). Resolves with the status
 * and the body as text.
 */
function post(path, size) {
  return new Promise((resolve, reject) => {
    const url = new URL(path, worker.base);
    const req = request(url, { method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-length": String(size) } });
    let answered = false;
    const piece = Buffer.alloc(1 << 20, 0x7b);
    const pump = (left) => {
      if (answered || left <= 0) return req.end();
      const n = Math.min(piece.length, left);
      if (req.write(n === piece.length ? piece : piece.subarray(0, n))) setImmediate(() => pump(left - n));
      else req.once("drain", () => pump(left - n));
    };
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.on("data", (d) => { text += d; });
      res.on("end", () => { resolve({ status: res.statusCode, text }); req.destroy(); });
      res.on("error", reject);
    });
    req.on("error", (e) => { if (!answered) reject(e); });
    pump(size);
  });
}

/** One request with the bearer secret and `headers`, its body written by `send(req)`: resolves with the status and text. */
function exchange(method, path, headers, send) {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, worker.base), { method, headers: { authorization: `Bearer ${SECRET}`, ...headers } });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d) => { text += d; });
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    send(req);
  });
}

test("a JSON body over the limit is a 413 JSON error, the rest is not read, and nothing is left uncaught", async () => {
  const from = worker.log().length;
  // before: the body crossed into the object and was still being pumped after the object's 413: the answer came with
  // an EMPTY body, the connection reset (curl exit 56), and wrangler logged "Uncaught TypeError: Can't read from
  // request stream after response has been sent"
  const big = await post("/v1/send", 50 << 20);
  assert.equal(big.status, 413);
  assert.deepEqual(JSON.parse(big.text), { error: "request body over 2097152 bytes", code: "TOO_LARGE" });
  // a body within the limit still reaches the object (a 400 for its content, not for its size)
  const small = await post("/v1/ping", 1 << 20, false);
  assert.equal(small.status, 400);
  assert.match(JSON.parse(small.text).error, /JSON object/);
  // and a chunked one (no Content-Length) is read here to its end and passed on whole
  const chunked = await exchange("POST", "/v1/ping", {}, (req) => {
    req.write('{"address":');
    setTimeout(() => req.end('"nowhere"}'), 100);
  });
  assert.equal(chunked.status, 400);
  assert.match(JSON.parse(chunked.text).error, /Pilot address/);
  await new Promise((r) => setTimeout(r, 500)); // wrangler prints an uncaught error a moment after the answer
  assert.doesNotMatch(logSince(from), /Uncaught|Can't read from request stream/);
});

test("a GET that carries a body is answered as any GET (only a POST's body is read before the object)", async () => {
  // HTTP lets a GET carry a body (some clients and proxies send one); workerd hands it on, and rebuilding the request
  // with it threw ("Request with a GET or HEAD method cannot have a body"): a 502 for /v1/status
  const status = await exchange("GET", "/v1/status", { "content-length": "2" }, (req) => req.end("{}"));
  assert.equal(status.status, 200, status.text);
  assert.ok("relay_url" in JSON.parse(status.text), status.text);
});
