// readAhead (src/peer.ts): how a request body reaches the stream's writer. workerd hands a body over in 4 KiB
// chunks, one event-loop turn each; what arrived while the writer waited goes to it in one piece, bounded.
import { describe, expect, it } from "vitest";
import { readAhead, REQUEST_READ_AHEAD_BYTES } from "../src/peer.js";

const turn = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A body of `chunks` chunks of 4 KiB, one per macrotask as workerd's are; counts the chunks pulled from it. */
function body(chunks: number, failAt = -1): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let n = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull: async (c) => {
      await turn();
      if (n === failAt) return c.error(new Error("the client went away"));
      if (n === chunks) return c.close();
      c.enqueue(new Uint8Array(4096).fill(n++ & 0xff));
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => n };
}

describe("request body read ahead", () => {
  it("hands the writer every chunk that arrived while it waited, in order, then null at the end", async () => {
    const b = body(8);
    const next = readAhead(b.stream.getReader());
    expect((await next())?.map((c) => c[0])).toEqual([0]); // nothing waited: the first chunk alone
    for (let i = 0; i < 20; i++) await turn(); // the writer busy (an echo's room, a full send buffer)
    const many = await next();
    expect(many?.map((c) => c[0])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await next()).toBeNull();
  });

  it("reads at most REQUEST_READ_AHEAD_BYTES ahead of a writer that does not take them", async () => {
    const chunks = 3 * REQUEST_READ_AHEAD_BYTES / 4096;
    const b = body(chunks);
    const next = readAhead(b.stream.getReader());
    await next();
    for (let i = 0; i < 100; i++) await turn();
    expect(b.pulled()).toBe(1 + REQUEST_READ_AHEAD_BYTES / 4096); // then it stops pulling
    const held = await next();
    expect(held?.reduce((a, c) => a + c.byteLength, 0)).toBe(REQUEST_READ_AHEAD_BYTES);
    let total = 4096 + REQUEST_READ_AHEAD_BYTES;
    for (let parts = await next(); parts; parts = await next()) total += parts.reduce((a, c) => a + c.byteLength, 0);
    expect(total).toBe(chunks * 4096);
  });

  it("a failed body: the chunks before the failure first, then the error", async () => {
    const b = body(10, 3);
    const next = readAhead(b.stream.getReader());
    expect((await next())?.map((c) => c[0])).toEqual([0]);
    for (let i = 0; i < 20; i++) await turn();
    expect((await next())?.map((c) => c[0])).toEqual([1, 2]);
    await expect(next()).rejects.toThrow("the client went away");
  });
});
