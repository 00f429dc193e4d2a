// The HTTP face of a Pilot peer Durable Object: JSON in, JSON out, 4xx with a clear message for bad
// input (never a stack trace), streams as streamed bodies.
import { b64 } from "./bytes.js";
import { PilotError, type PilotPeer } from "./peer.js";

export const MAX_SEND_BYTES = 1 << 20;

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
      : e.code === "TIMED_OUT" ? 504 : 502;
    return json(status, { error: e.message, code: e.code });
  }
  return json(502, { error: e instanceof Error ? e.message : String(e), code: "UPSTREAM" });
}

async function body(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (text.length > MAX_SEND_BYTES * 2) throw new HttpError(413, "request body too large");
  try {
    const v: unknown = JSON.parse(text);
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

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new PilotError(`${what}: no answer within ${ms} ms`, "TIMED_OUT")), ms))]);
}


/** Routes /v1/* for one peer. */
export async function handleApi(req: Request, peer: PilotPeer): Promise<Response> {
  const url = new URL(req.url);
  try {
    switch (`${req.method} ${url.pathname}`) {
      case "GET /v1/status": {
        const s = peer.status();
        return json(200, {
          address: s.address, public_key: peer.publicKeyBase64, connection: s.state, relay_endpoint: s.endpoint,
          reconnects: s.reconnects, last_error: s.lastError, peers: s.node?.peers ?? 0, streams: s.node?.streams ?? 0,
          packets_in: s.node?.packets_in ?? 0, packets_out: s.node?.packets_out ?? 0,
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
          : typeof b.data_base64 === "string" ? Uint8Array.from(atob(b.data_base64), (c) => c.charCodeAt(0)) : null;
        if (!data || data.length === 0) throw new HttpError(400, "give data (text) or data_base64, not empty");
        if (data.length > MAX_SEND_BYTES) throw new HttpError(413, `data over ${MAX_SEND_BYTES} bytes: use POST /v1/streams`);
        if (b.datagram === true) {
          await withTimeout(peer.ping(target), 15_000, `reach ${target}`);
          const src = await peer.sendDatagram(target, p, data);
          return json(200, { sent: data.length, datagram: true, source_port: src });
        }
        const s = await withTimeout(peer.openStream(target, p), 15_000, `stream to ${target}:${p}`);
        await s.write(data);
        s.close();
        const reply = new Uint8Array(await withTimeout(new Response(s.readable).arrayBuffer(), 15_000, "reply"));
        return json(200, { sent: data.length, received: reply.length, reply_base64: b64(reply) });
      }
      case "POST /v1/streams": {
        const target = address(url.searchParams.get("address"));
        const p = port(url.searchParams.get("port"));
        if (!req.body) throw new HttpError(400, "stream the data to send as the request body");
        const s = await withTimeout(peer.openStream(target, p), 15_000, `stream to ${target}:${p}`);
        const reader = req.body.getReader();
        // request body in, then half-close; if the client goes away mid-stream, reset the Pilot stream so
        // the peer sees an error instead of a silently truncated stream
        (async () => {
          try {
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              await s.write(value);
            }
            s.close();
          } catch {
            s.abort();
          }
        })();
        return new Response(s.readable, { headers: { "content-type": "application/octet-stream", "x-pilot-stream": String(s.id) } });
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
  if (!req.body || req.bodyUsed) return;
  const reader = req.body.getReader();
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
