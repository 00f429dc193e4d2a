// The edge protocols as the Worker speaks them: relay messages, the texts it signs, host:port and IP text.
// Defined in core-logic (pilot.core.edge: RelayMessage, RelayBatch, SignedTexts, HostPort; addr.IpLiteral); this is the
// TypeScript copy, checked case by case against test-vectors/generated/edge.json (test/edge.test.ts).
// The per-packet path uses only splitBatch: relay messages go to and come from the wasm core as bytes.

/** Longest IP literal tried (IpLiteral.MAX_TEXT). */
export const MAX_IP_TEXT = 64;
/** Longest host:port parsed (HostPort.MAX_TEXT), and longest host name (RFC 1035). */
export const MAX_HOST_PORT_TEXT = 261;
export const MAX_HOST_NAME = 253;
/** Largest relay message: a maximal tunnel frame plus the IPv6 header (RelayMessage.MAX_BYTES). */
export const MAX_RELAY_MESSAGE = 65_535 + 36 + 19;

/** What a caller accepts (HostPort.Rule): IP literal only; IP or name; IP or name with port 0 (bind). */
export type HostPortRule = "IP" | "NAME" | "BIND";

export type EdgeError = "TRUNCATED" | "BAD_LENGTH" | "BAD_ADDRESS" | "BAD_MAGIC";

export interface HostPort {
  /** as written, without brackets */
  host: string;
  /** 4 or 16 bytes for an IP literal, null for a host name */
  ip: Uint8Array | null;
  port: number;
}

export type Parsed<T> = ({ ok: true } & T) | { ok: false; error: EdgeError; detail: string };

// ---------------------------------------------------------------- IP literals (IpLiteral)

function decimal(s: string, max: number): number {
  if (s.length < 1 || s.length > 3) return -1;
  let v = 0;
  for (const c of s) {
    if (c < "0" || c > "9") return -1;
    v = v * 10 + (c.charCodeAt(0) - 48);
  }
  return v <= max ? v : -1;
}

function groups(s: string): number[] | null {
  if (s === "") return [];
  const parts = s.split(":");
  if (parts.length > 8) return null;
  const out: number[] = [];
  for (const g of parts) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/**
 * The 4 or 16 bytes of dotted IPv4 or IPv6 text (hex groups, at most one "::"; a "%zone" is dropped);
 * null for anything else (no brackets, no host names).
 */
export function ipBytes(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > MAX_IP_TEXT) return null;
  const zone = text.indexOf("%");
  const t = zone >= 0 ? text.slice(0, zone) : text;
  if (!t.includes(":")) {
    const parts = t.split(".");
    if (parts.length !== 4) return null;
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const v = decimal(parts[i] ?? "", 255);
      if (v < 0) return null;
      out[i] = v;
    }
    return out;
  }
  const gap = t.indexOf("::");
  if (gap >= 0 && t.indexOf("::", gap + 1) >= 0) return null;
  const head = groups(gap < 0 ? t : t.slice(0, gap));
  const tail = gap < 0 ? [] : groups(t.slice(gap + 2));
  if (!head || !tail) return null;
  const n = head.length + tail.length;
  if (gap < 0 ? n !== 8 : n > 7) return null;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((v, i) => {
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** Dotted IPv4, or IPv6 as eight hex groups without leading zeros (0:0:0:0:0:0:0:1). */
export function ipText(ip: Uint8Array): string {
  if (ip.length === 4) return Array.from(ip).join(".");
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push((((ip[i] ?? 0) << 8) | (ip[i + 1] ?? 0)).toString(16));
  return g.join(":");
}

// ---------------------------------------------------------------- host:port (HostPort)

function isHostName(h: string): boolean {
  if (h.length === 0 || h.length > MAX_HOST_NAME || h.endsWith("-")) return false;
  if (!/^[A-Za-z0-9.-]+$/.test(h) || !/[A-Za-z-]/.test(h)) return false;
  return h.split(".").every((label, i, all) => (label.length > 0 || i === all.length - 1) && label.length <= 63
    && !label.startsWith("-") && !label.endsWith("-")) && !h.startsWith(".");
}

function portOfText(text: string, from: number, min: number): number {
  const digits = text.slice(from);
  if (from <= 0 || digits.length < 1 || digits.length > 5 || !/^[0-9]+$/.test(digits)) return -1;
  const v = Number(digits);
  return v >= min && v <= 65535 ? v : -1;
}

/** `1.2.3.4:80`, `[::1]:80`, `::1:80` (split at the last colon), and host names where `rule` allows them. */
export function parseHostPort(text: string, rule: HostPortRule): Parsed<HostPort> {
  const bad = (detail: string): Parsed<HostPort> => ({ ok: false, error: "BAD_ADDRESS", detail });
  if (text.length === 0) return bad("empty host:port");
  if (text.length > MAX_HOST_PORT_TEXT) return bad(`host:port longer than ${MAX_HOST_PORT_TEXT} characters`);
  const colon = text.lastIndexOf(":");
  if (colon < 0) return bad(`expected HOST:PORT: ${text}`);
  const port = portOfText(text, colon + 1, rule === "BIND" ? 0 : 1);
  if (port < 0) return bad(`port out of range: ${text}`);
  let host = text.slice(0, colon);
  const bracketed = host.startsWith("[");
  if (bracketed) {
    if (host.length < 3 || !host.endsWith("]")) return bad(`unclosed [ in: ${text}`);
    host = host.slice(1, -1);
    if (!host.includes(":")) return bad(`only an IPv6 address goes in brackets: ${text}`);
  }
  const ip = ipBytes(host);
  if (ip) return { ok: true, host, ip, port };
  if (rule === "IP") return bad(`not an IP address: ${text}`);
  if (bracketed || !isHostName(host)) return bad(`neither an IP address nor a host name: ${text}`);
  return { ok: true, host, ip: null, port };
}

/** `1.2.3.4:80`, `[0:0:0:0:0:0:0:1]:80`, `name:80` (HostPort.toString). */
export function hostPortText(h: HostPort): string {
  if (!h.ip) return `${h.host}:${h.port}`;
  return h.ip.length === 16 ? `[${ipText(h.ip)}]:${h.port}` : `${ipText(h.ip)}:${h.port}`;
}

// ---------------------------------------------------------------- relay messages (RelayMessage)

/** `ipLen(1) ‖ ip ‖ port(2) ‖ frame`: to the relay, the destination; from it, the source. */
export function encodeRelayMessage(ip: Uint8Array, port: number, frame: Uint8Array): Uint8Array {
  const n = ip.length;
  const out = new Uint8Array(3 + n + frame.length);
  out[0] = n;
  out.set(ip, 1);
  out[1 + n] = port >> 8;
  out[2 + n] = port & 0xff;
  out.set(frame, 3 + n);
  return out;
}

/** The header of a relay message, with the same errors as RelayMessage.decode. */
export function decodeRelayMessage(msg: Uint8Array): Parsed<{ ip: Uint8Array; port: number; frameOffset: number }> {
  if (msg.length < 1) return { ok: false, error: "TRUNCATED", detail: "empty relay message" };
  const n = msg[0] ?? 0;
  if (n !== 4 && n !== 16) return { ok: false, error: "BAD_LENGTH", detail: `ip length ${n} is neither 4 nor 16` };
  if (msg.length < 3 + n) return { ok: false, error: "TRUNCATED", detail: `${msg.length} bytes, the header needs ${3 + n}` };
  if (msg.length > MAX_RELAY_MESSAGE) return { ok: false, error: "BAD_LENGTH", detail: `more than ${MAX_RELAY_MESSAGE} bytes` };
  const port = ((msg[1 + n] ?? 0) << 8) | (msg[2 + n] ?? 0);
  if (port === 0) return { ok: false, error: "BAD_ADDRESS", detail: "port 0" };
  return { ok: true, ip: msg.slice(1, 1 + n), port, frameOffset: 3 + n };
}

// ---------------------------------------------------------------- relay batches (RelayBatch)

/** First byte of a batch (RelayBatch.MARK); a single relay message starts with its ipLen, 4 or 16. */
export const BATCH_MARK = 0;
/** Largest batch, all bytes counted (RelayBatch.MAX_BYTES): what one WebSocket message from the relay carries at most. */
export const MAX_BATCH_BYTES = 64 * 1024;

/** Whether a binary message from the relay is a batch rather than a single relay message. */
export function isBatch(message: Uint8Array): boolean {
  return message.length > 0 && message[0] === BATCH_MARK;
}

/**
 * The messages of a batch, `0x00 ‖ (length(2) ‖ message)+`, as views into it, in order; taken whole or refused
 * with RelayBatch.split's error: BAD_MAGIC (not a batch), BAD_LENGTH (over MAX_BATCH_BYTES, a zero-length
 * record), TRUNCATED (no record, a cut length, a record past the end). Each message is still the core's to check.
 */
export function splitBatch(batch: Uint8Array): Parsed<{ messages: Uint8Array[] }> {
  const fail = (error: EdgeError, detail: string): Parsed<{ messages: Uint8Array[] }> => ({ ok: false, error, detail });
  if (!isBatch(batch)) return fail("BAD_MAGIC", "not a batch: its first byte is not 0");
  if (batch.length > MAX_BATCH_BYTES) return fail("BAD_LENGTH", `${batch.length} bytes, more than ${MAX_BATCH_BYTES}`);
  if (batch.length === 1) return fail("TRUNCATED", "a batch without a message");
  const messages: Uint8Array[] = [];
  for (let at = 1; at < batch.length;) {
    if (at + 2 > batch.length) return fail("TRUNCATED", `a record length cut at byte ${at}`);
    const len = ((batch[at] ?? 0) << 8) | (batch[at + 1] ?? 0);
    if (len === 0) return fail("BAD_LENGTH", `a zero-length record at byte ${at}`);
    if (at + 2 + len > batch.length) return fail("TRUNCATED", `a record of ${len} bytes at byte ${at} runs past the end`);
    messages.push(batch.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return { ok: true, messages };
}

/** Longest message one record of a batch holds (its length is 16 bits; RelayBatch.MAX_RECORD). */
export const MAX_BATCH_RECORD = 0xffff;

/**
 * Packs relay messages for the relay, in order, as RelayBatch.encode frames them and as the relay's own Batch
 * groups them: consecutive messages share a batch while it stays within MAX_BATCH_BYTES; a message alone (or
 * one too large or empty for a record) goes as it is. Only for a relay whose auth_ok said `"batch":true`.
 */
export function packBatches(messages: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let bytes = 1;
  const flush = (): void => {
    if (group.length === 1) out.push(group[0] as Uint8Array);
    else if (group.length > 1) {
      const b = new Uint8Array(bytes);
      b[0] = BATCH_MARK;
      let at = 1;
      for (const m of group) {
        b[at] = m.length >> 8;
        b[at + 1] = m.length & 0xff;
        b.set(m, at + 2);
        at += 2 + m.length;
      }
      out.push(b);
    }
    group = [];
    bytes = 1;
  };
  for (const m of messages) {
    if (m.length === 0 || m.length > MAX_BATCH_RECORD) {
      flush();
      out.push(m);
      continue;
    }
    if (bytes + 2 + m.length > MAX_BATCH_BYTES) flush();
    group.push(m);
    bytes += 2 + m.length;
  }
  flush();
  return out;
}

// ---------------------------------------------------------------- signed texts (SignedTexts)

const u32 = (id: number): string => String(id >>> 0);

/** Relay login: `pilot_relay_auth:<nonce hex>:<public key base64>`. */
export const relayAuthText = (nonceHex: string, publicKeyBase64: string): string => `pilot_relay_auth:${nonceHex}:${publicKeyBase64}`;
/** Relay dial-in proof: `pilot_relay_dial:<nonce hex>:<Worker public key base64>`. */
export const relayDialText = (nonceHex: string, workerKeyBase64: string): string => `pilot_relay_dial:${nonceHex}:${workerKeyBase64}`;
/** Signed register: `register:<public key base64>:<listen_addr>:<timestamp ms>`. */
export const registerText = (publicKeyBase64: string, listenAddr: string, timestampMs: number): string =>
  `register:${publicKeyBase64}:${listenAddr}:${timestampMs}`;
/** Reference set_visibility: `set_visibility:<node id>`. */
export const setVisibilityText = (nodeId: number): string => `set_visibility:${u32(nodeId)}`;
/** Stamped set_visibility (SPEC-NOTES #36): `set_visibility:<node id>:<true|false>:<timestamp ms>`. */
export const setVisibilityStampedText = (nodeId: number, isPublic: boolean, timestampMs: number): string =>
  `set_visibility:${u32(nodeId)}:${isPublic}:${timestampMs}`;
/** `heartbeat:<node id>`. */
export const heartbeatText = (nodeId: number): string => `heartbeat:${u32(nodeId)}`;
/** `resolve:<requester id>:<target id>`, signed by the requester. */
export const resolveText = (requesterId: number, targetId: number): string => `resolve:${u32(requesterId)}:${u32(targetId)}`;

/** The bytes that are signed: one per character, anything outside ASCII as '?' (SignedTexts.ascii). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f;
  }
  return out;
}
