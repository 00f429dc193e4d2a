// A streamed HTTP response body that may fail after its first byte. Measured with workerd 2026-04-26, alone and
// under `wrangler dev` (test/abort.node.mjs): a chunked body ends with its terminating `0\r\n\r\n` however its
// stream fails (a native stream's writer aborted, a JS ReadableStream errored, a writer left hanging), so an
// HTTP client sees a clean, short 200. Only a body of declared length fails visibly: a FixedLengthStream that
// gets fewer bytes than its Content-Length leaves the connection cut short, which curl and fetch report.

import type { CloseMode, ReplyPolicy } from "./peer.js";
import { errorText } from "./errors.js";

/** What to do when the reply fails after the response went out (stop the request pump, reset the stream). */
export type BodyFailure = (e: unknown) => Promise<void>;

/**
 * `first` and what `reader` yields after it, as a response body. With `length` known (an echo of a request
 * of known length, or `expect=N`) the body declares it, so a failure, or a reply that ends early or runs
 * long, is a cut transfer; with `length` null the body is chunked and a failure ends it like a clean end
 * (see above). A native stream either way: aborting its writable side raises no exception into workerd.
 */
export function replyStream(first: ReadableStreamReadResult<Uint8Array>, reader: ReadableStreamDefaultReader<Uint8Array>,
  length: number | null, onFailure: BodyFailure): ReadableStream<Uint8Array> {
  const { readable, writable } = length === null ? new IdentityTransformStream() : new FixedLengthStream(length);
  const writer = writable.getWriter();
  void (async () => {
    try {
      for (let r = first; !r.done; r = await reader.read()) await writer.write(r.value);
      await writer.close();
    } catch (e) {
      await onFailure(e);
      await writer.abort(errorText(e)).catch(() => {});
    }
  })();
  return readable;
}

/**
 * The reply's length when it is known before it starts: `expect=N`, or an echo of a request body whose
 * Content-Length was given (`contentLength`, the header's text); null otherwise (a reply the peer ends, or
 * silence does).
 */
export function replyLength(contentLength: string | null, mode: CloseMode, policy: ReplyPolicy): number | null {
  if (mode !== "after-reply") return null;
  if (typeof policy.expect === "number") return policy.expect;
  if (policy.expect !== "echo" || contentLength === null || !/^\d{1,15}$/.test(contentLength)) return null;
  return Number(contentLength);
}
