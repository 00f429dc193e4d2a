// The HTTP face of a Pilot peer Durable Object: JSON in, JSON out, 4xx with a clear message for bad
// input (never a stack trace), streams as streamed bodies.
import { b64, concat } from "./bytes.js";
import { PlatformCryptoError } from "./core.js";
import { replyLength, replyStream } from "./reply-body.js";
import { PilotError, type CloseMode, type PilotPeer, type PilotStream, type ReplyPolicy } from "./peer.js";
import { errorText } from "./errors.js";

export const MAX_SEND_BYTES = 1 << 20;
/** A JSON request body may not be longer than this; counted while it is read, never read whole first. */
export const MAX_JSON_BODY_BYTES = MAX_SEND_BYTES * 2;
/** How long /v1/send and the first byte of a /v1/streams reply may take. */
const REPLY_TIMEOUT_MS = 15_000;

export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly code = "BAD_REQUEST") {
    super(message);
  }
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function errorResponse(e: unknown): Response {
  if (e instanceof HttpError) return json(e.status, { error: e.message, code: e.code });
  if (e instanceof PilotError) {
    const status = e.code === "BAD_ADDRESS" || e.code === "INVALID_ARGUMENT" ? 400
      : e.code === "LIMIT_REACHED" ? 413 : e.code === "TIMED_OUT" ? 504 : 502;
    return json(status, { error: e.message, code: e.code });
  }
  return json(502, { error: errorText(e), code: "UPSTREAM" });
}

/**
 * 503 when the peer cannot exist: a missing `nodejs_compat` flag keeps the core's own code
 * (NODEJS_COMPAT_REQUIRED, the message names the flag), anything else is UNAVAILABLE.
 */
export function unavailable(e: unknown): Response {
  const code = e instanceof PlatformCryptoError ? e.code : "UNAVAILABLE";
  return json(503, { error: errorText(e), code });
}

/** Reads a body up to {@code max} bytes, refusing (413) as soon as it grows past the limit. */
export async function readLimited(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw new HttpError(413, `request body over ${max} bytes`, "TOO_LARGE");
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      reader.releaseLock(); // discardBody drains a little more, then cancels the rest
      throw new HttpError(413, `request body over ${max} bytes`, "TOO_LARGE");
    }
    parts.push(value);
  }
  return concat(parts);
}

async function body(req: Request): Promise<Record<string, unknown>> {
  const bytes = await readLimited(req, MAX_JSON_BODY_BYTES);
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, "the body must be a JSON object");
  }
}

function address(v: unknown): string {
  if (typeof v !== "string" || !/^\d{1,5}:[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}$/.test(v)) {
    throw new HttpError(400, "address must be a Pilot address like 0:0000.0000.0010");
  }
  return v;
}

function port(v: unknown): number {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 65535) throw new HttpError(400, "port must be 1..65535");
  return n;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64(v: string): Uint8Array {
  if (!BASE64.test(v)) throw new HttpError(400, "data_base64 must be standard padded base64");
  return Uint8Array.from(atob(v), (c) => c.charCodeAt(0));
}

function closeMode(v: unknown, port: number): CloseMode {
  if (v === undefined || v === null) return port === 7 ? "after-reply" : "half";
  if (v === "reply" || v === "after-reply") return "after-reply";
  if (v === "half" || v === "full") return v;
  throw new HttpError(400, "close must be reply, half or full");
}

/** expect: "echo", a byte count, or absent; quiet_ms: silence that ends a reply of unknown length (only). */
function replyPolicy(expect: unknown, quietMs: unknown, port: number): ReplyPolicy {
  const quiet = quietMs === undefined || quietMs === null ? 2_000 : Number(quietMs);
  if (!Number.isInteger(quiet) || quiet < 0 || quiet > 600_000) throw new HttpError(400, "quiet_ms must be 0..600000");
  if (expect === undefined || expect === null) return port === 7 ? { expect: "echo" } : { quietMs: quiet };
  if (expect === "echo") return { expect: "echo" };
  const n = typeof expect === "string" ? Number(expect) : expect;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new HttpError(400, "expect must be echo or a byte count");
  return { expect: n };
}

/** The whole reply; rejects with the stream's error. */
async function readAll(s: PilotStream): Promise<Uint8Array> {
  const reader = s.readable.getReader();
  reader.closed.catch(() => {});
  const parts: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
  }
  return concat(parts);
}

/**
 * The reply as an HTTP body: waits for the first byte (or the clean end) so that a failure before it is a
 * JSON error with a code; a failure after it fails the body. The client sees that as an aborted transfer
 * only when `length` is known (reply-body.ts: workerd ends a failed chunked body cleanly).
 */
async function replyBody(s: PilotStream, length: number | null): Promise<Response> {
  const reader = s.readable.getReader();
  reader.closed.catch(() => {}); // a failed stream is reported through the body below, not as a stray rejection
  const first = await withTimeout(reader.read(), REPLY_TIMEOUT_MS, "first byte of the reply").catch((e: unknown) => {
    s.abort();
    throw e;
  });
  const body = replyStream(first, reader, length, async () => {
    s.abort();
    // stop reading the request first: workerd refuses request reads once the response has failed
    await Promise.race([s.requestSent, new Promise((r) => setTimeout(r, 1_000))]);
  });
  return new Response(body, { headers: { "content-type": "application/octet-stream", "x-pilot-stream": String(s.id) } });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  // cleared on settle: a pending timer would keep a dial-in object from hibernating for `ms` more
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new PilotError(`${what}: no answer within ${ms} ms`, "TIMED_OUT")), ms);
  });
  return Promise.race([p, late]).finally(() => { if (timer !== undefined) clearTimeout(timer); });
}


/** Routes /v1/* for one peer. */
export async function handleApi(req: Request, peer: PilotPeer): Promise<Response> {
  const url = new URL(req.url);
  try {
    switch (`${req.method} ${url.pathname}`) {
      case "GET /v1/status": {
        const s = peer.status();
        return json(200, {
          address: s.address, public_key: peer.publicKeyBase64, connection: s.state, relay_url: s.relayUrl, relay_endpoint: s.endpoint,
          reconnects: s.reconnects, last_error: s.lastError, peers: s.node?.peers ?? 0, streams: s.node?.streams ?? 0,
          packets_in: s.node?.packets_in ?? 0, packets_out: s.node?.packets_out ?? 0,
          transport: s.transport, outbound_socket: s.outboundSocket, timers: s.timers, alarm: s.alarm,
          pila_in: s.pilaIn, pila_out: s.pilaOut, dropped: s.node?.dropped ?? {}, dial_in_refused: s.dialInRefused,
          aead: s.aead, messages_out: s.messagesOut,
        });
      }
      case "POST /v1/ping": {
        const b = await body(req);
        const target = address(b.address);
        const rtt = await withTimeout(peer.ping(target), 15_000, `ping ${target}`);
        return json(200, { address: target, rtt_ms: rtt });
      }
      case "POST /v1/send": {
        const b = await body(req);
        const target = address(b.address);
        const p = port(b.port);
        const data = typeof b.data === "string" ? new TextEncoder().encode(b.data)
          : typeof b.data_base64 === "string" ? base64(b.data_base64) : null;
        if (!data || data.length === 0) throw new HttpError(400, "give data (text) or data_base64, not empty");
        if (data.length > MAX_SEND_BYTES) throw new HttpError(413, `data over ${MAX_SEND_BYTES} bytes: use POST /v1/streams`);
        if (b.datagram === true) {
          await withTimeout(peer.ping(target), 15_000, `reach ${target}`);
          const src = await peer.sendDatagram(target, p, data);
          return json(200, { sent: data.length, datagram: true, source_port: src });
        }
        const mode = closeMode(b.close, p);
        const policy = replyPolicy(b.expect, b.quiet_ms, p);
        const s = await withTimeout(peer.request(target, p, data, { close: mode, reply: policy }), REPLY_TIMEOUT_MS,
          `stream to ${target}:${p}`);
        let reply: Uint8Array;
        try {
          reply = await withTimeout(readAll(s), REPLY_TIMEOUT_MS, "reply");
        } catch (e) {
          s.abort();
          throw e;
        }
        return json(200, { sent: data.length, received: reply.length, reply_base64: b64(reply) });
      }
      case "POST /v1/streams": {
        const target = address(url.searchParams.get("address"));
        const p = port(url.searchParams.get("port"));
        if (!req.body) throw new HttpError(400, "stream the data to send as the request body");
        const mode = closeMode(url.searchParams.get("close"), p);
        const policy = replyPolicy(url.searchParams.get("expect"), url.searchParams.get("quiet_ms"), p);
        // the request body streams in (a client that goes away mid-body resets the Pilot stream, so the
        // peer sees an error instead of a silently truncated request); the reply streams out
        const s = await withTimeout(peer.request(target, p, req.body, { close: mode, reply: policy }), REPLY_TIMEOUT_MS,
          `stream to ${target}:${p}`);
        return await replyBody(s, replyLength(req.headers.get("content-length"), mode, policy));
      }
      default:
        if (["/v1/status", "/v1/ping", "/v1/send", "/v1/streams"].includes(url.pathname)) {
          throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`, "METHOD_NOT_ALLOWED");
        }
        throw new HttpError(404, `no such endpoint: ${url.pathname} (try GET /v1/status)`, "NOT_FOUND");
    }
  } catch (e) {
    await discardBody(req);
    return errorResponse(e);
  }
}

/**
 * Reads what is left of a refused request's body, up to 64 KiB, then cancels the rest: a body still being
 * pumped after the answer went out is reported by workerd as an uncaught "Can't read from request stream
 * after response has been sent" when the request crossed into a Durable Object; a huge body is cut short.
 */
async function discardBody(req: Request): Promise<void> {
  if (!req.body || req.bodyUsed || req.body.locked) return; // a stream request's body is its pump's to stop
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = req.body.getReader();
  } catch {
    return;
  }
  try {
    for (let seen = 0; seen <= 64 * 1024;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away: nothing left to discard
  }
}
