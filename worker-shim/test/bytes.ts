// Byte helpers the Worker tests share: random payloads and their SHA-256.

/** n random bytes (getRandomValues fills at most 64 KiB per call). */
export function random(n: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(new ArrayBuffer(n));
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  return data;
}

/** SHA-256 as lower-case hex. */
export async function hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", buf);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}
