// A Worker for test/abort.node.mjs: src/reply-body.ts and src/bearer.ts behind plain routes, so workerd's own
// HTTP server (no vitest, no wrangler proxy) is what frames the bodies the test reads off the socket.
//   GET /reply?bytes=K&end=fail|close&length=N   K bytes in 16 KiB chunks, then the reply fails or ends;
//                                                 length absent: unknown (chunked)
//   GET /length?content_length=&close=&expect=   replyLength as JSON
//   GET /auth?secret=S                           204 when the Authorization header carries S, else 401
import { authorized } from "../src/bearer.js";
import type { CloseMode, ReplyPolicy } from "../src/peer.js";
import { replyLength, replyStream } from "../src/reply-body.js";

const CHUNK = 16 * 1024;

function source(bytes: number, end: string): ReadableStreamDefaultReader<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      await new Promise((r) => setTimeout(r, 5)); // the response head goes out before the reply fails
      if (sent < bytes) {
        const n = Math.min(CHUNK, bytes - sent);
        c.enqueue(new Uint8Array(n).fill(0x61 + (sent / CHUNK) % 26));
        sent += n;
      } else if (end === "fail") {
        c.error(new Error("stream ended: TIMED_OUT"));
      } else {
        c.close();
      }
    },
  }).getReader();
}

export default {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const q = (k: string): string | null => url.searchParams.get(k);
    if (url.pathname === "/reply") {
      const reader = source(Number(q("bytes")), q("end") ?? "close");
      const first = await reader.read();
      const length = q("length") === null ? null : Number(q("length"));
      return new Response(replyStream(first, reader, length, async () => {}));
    }
    if (url.pathname === "/length") {
      const expect = q("expect");
      const policy: ReplyPolicy = expect === null ? {} : expect === "echo" ? { expect: "echo" } : { expect: Number(expect) };
      return Response.json({ length: replyLength(q("content_length"), (q("close") ?? "after-reply") as CloseMode, policy) });
    }
    if (url.pathname === "/auth") {
      return new Response(null, { status: (await authorized(req, q("secret") ?? "")) ? 204 : 401 });
    }
    return new Response("no such route", { status: 404 });
  },
} satisfies ExportedHandler;
