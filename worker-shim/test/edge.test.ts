// src/edge.ts against test-vectors/generated/edge.json (generated from core-logic's pilot.core.edge): the
// relay message codec, every signed text, host:port under each rule. Pure functions, run inside workerd.
import { describe, expect, inject, it } from "vitest";
import {
  ascii, decodeRelayMessage, encodeRelayMessage, isBatch, MAX_BATCH_BYTES, packBatches, splitBatch, heartbeatText, hostPortText, ipBytes, ipText, parseHostPort, registerText,
  relayAuthText, relayDialText, resolveText, setVisibilityStampedText, setVisibilityText, type HostPortRule,
} from "../src/edge.js";

export interface EdgeVectors {
  relay_messages: { ip: string; ip_hex: string; port: number; frame_hex: string; message_hex: string; frame_offset: number }[];
  relay_malformed: { name: string; message_hex?: string; max_bytes?: number; error: string }[];
  relay_batches: { name: string; messages_hex: string[]; batch_hex: string }[];
  relay_batch_malformed: { name: string; batch_hex?: string; max_bytes?: number; records?: number; record_length?: number; error: string }[];
  signed_texts: { kind: string; inputs: Record<string, string | number | boolean>; text: string; ascii_hex: string }[];
  host_port: { text: string; rule: HostPortRule; ok: boolean; error: string | null; host?: string; ip_hex?: string | null; port?: number; canonical?: string }[];
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

describe("edge protocols (edge.json)", () => {
  const v = inject("edgeVectors");

  it("relay messages encode and decode as the core's, IPv4 and IPv6", () => {
    expect(v.relay_messages.some((m) => m.ip_hex.length === 32)).toBe(true);
    for (const m of v.relay_messages) {
      expect(hex(ipBytes(m.ip) ?? new Uint8Array()), m.ip).toBe(m.ip_hex);
      expect(ipText(unhex(m.ip_hex))).toBe(m.ip);
      expect(hex(encodeRelayMessage(unhex(m.ip_hex), m.port, unhex(m.frame_hex)))).toBe(m.message_hex);
      const d = decodeRelayMessage(unhex(m.message_hex));
      expect(d).toEqual({ ok: true, ip: unhex(m.ip_hex), port: m.port, frameOffset: m.frame_offset });
    }
  });

  it("malformed relay messages fail with the core's error", () => {
    for (const m of v.relay_malformed) {
      let bytes: Uint8Array;
      if (m.message_hex !== undefined) {
        bytes = unhex(m.message_hex);
      } else {
        bytes = new Uint8Array((m.max_bytes ?? 0) + 1);
        bytes[0] = 4;
        bytes[6] = 1;
      }
      expect(decodeRelayMessage(bytes), m.name).toMatchObject({ ok: false, error: m.error });
    }
  });

  it("batches split into their messages, in order, as the core's RelayBatch does", () => {
    expect(v.relay_batches.length).toBeGreaterThanOrEqual(4);
    for (const c of v.relay_batches) {
      const b = unhex(c.batch_hex);
      expect(isBatch(b), c.name).toBe(true);
      const r = splitBatch(b);
      expect(r.ok, c.name).toBe(true);
      if (r.ok) expect(r.messages.map(hex), c.name).toEqual(c.messages_hex);
    }
  });

  it("batches we send are the core's bytes (RelayBatch.encode), a message alone goes as it is", () => {
    for (const c of v.relay_batches.filter((x) => x.messages_hex.length > 1)) {
      expect(packBatches(c.messages_hex.map(unhex)).map(hex), c.name).toEqual([c.batch_hex]);
    }
    const one = unhex(v.relay_batches[0]?.messages_hex[0] ?? "");
    expect(packBatches([one])).toEqual([one]);
    expect(packBatches([])).toEqual([]);
  });

  it("batches we send stay within MAX_BATCH_BYTES and keep the order; a message too large for a record goes alone", () => {
    const msgs = Array.from({ length: 40 }, (_, i) => { const m = new Uint8Array(4166); m[0] = 4; m[1] = i; return m; });
    const packed = packBatches(msgs);
    expect(packed.length).toBe(3); // 15 + 15 + 10 records of 4,168 bytes, as the relay's own Batch groups them
    const back = packed.flatMap((b) => { const r = splitBatch(b); return r.ok ? r.messages : []; });
    expect(back.map((m) => m[1])).toEqual(msgs.map((m) => m[1]));
    for (const b of packed) expect(b.length).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    const big = new Uint8Array(0x10000);
    const small = new Uint8Array([4, 1, 2]);
    expect(packBatches([small, big, small])).toEqual([small, big, small]);
  });

  it("each malformed batch is refused whole with the core's error, the oversize one included", () => {
    expect(v.relay_batch_malformed.some((c) => c.batch_hex === undefined)).toBe(true);
    for (const c of v.relay_batch_malformed) {
      let b: Uint8Array;
      if (c.batch_hex !== undefined) {
        b = unhex(c.batch_hex);
      } else {
        // 0x00 ‖ records × (record_length ‖ that many zero bytes): only the size is wrong
        expect(c.max_bytes).toBe(MAX_BATCH_BYTES);
        const len = c.record_length ?? 0;
        b = new Uint8Array(1 + (c.records ?? 0) * (2 + len));
        for (let at = 1; at < b.length; at += 2 + len) { b[at] = len >> 8; b[at + 1] = len & 0xff; }
      }
      expect(splitBatch(b), c.name).toMatchObject({ ok: false, error: c.error });
    }
  });

  it("every signed text, character for character and byte for byte", () => {
    const build: Record<string, (i: Record<string, string | number | boolean>) => string> = {
      relay_auth: (i) => relayAuthText(String(i.nonce), String(i.public_key)),
      relay_dial: (i) => relayDialText(String(i.nonce), String(i.public_key)),
      register: (i) => registerText(String(i.public_key), String(i.listen_addr), Number(i.timestamp)),
      set_visibility: (i) => setVisibilityText(Number(i.node_id)),
      set_visibility_stamped: (i) => setVisibilityStampedText(Number(i.node_id), i.public === true, Number(i.timestamp)),
      heartbeat: (i) => heartbeatText(Number(i.node_id)),
      resolve: (i) => resolveText(Number(i.requester_id), Number(i.node_id)),
    };
    const kinds = new Set<string>();
    for (const t of v.signed_texts) {
      const f = build[t.kind];
      expect(f, t.kind).toBeDefined();
      expect(f?.(t.inputs)).toBe(t.text);
      expect(hex(ascii(t.text))).toBe(t.ascii_hex);
      kinds.add(t.kind);
    }
    expect([...kinds].sort()).toEqual(Object.keys(build).sort());
  });

  it("host:port under each rule gives the core's result", () => {
    expect(v.host_port.length).toBeGreaterThan(60);
    for (const c of v.host_port) {
      const r = parseHostPort(c.text, c.rule);
      const where = `${c.text} ${c.rule}`;
      expect(r.ok, where).toBe(c.ok);
      if (r.ok) {
        expect(r.host, where).toBe(c.host);
        expect(r.ip === null ? null : hex(r.ip), where).toBe(c.ip_hex);
        expect(r.port, where).toBe(c.port);
        expect(hostPortText(r), where).toBe(c.canonical);
      } else {
        expect(r.error, where).toBe(c.error);
      }
    }
  });
});
