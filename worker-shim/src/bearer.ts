// The Worker API's bearer check. Compared as SHA-256 digests of equal length, so that how long it takes depends
// neither on the secret's length nor on whether or where a guess differs from it (a plain comparison that
// returns early on a length mismatch tells a client the secret's length).

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Whether `request` carries `Authorization: Bearer <secret>`. */
export async function authorized(request: Request, secret: string): Promise<boolean> {
  const header = request.headers.get("authorization") ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : "";
  const [a, b] = await Promise.all([sha256(given), sha256(secret)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!; // all 32 bytes, always
  return diff === 0;
}
