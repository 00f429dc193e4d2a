// In Node.js 22: the production module and its wrapper against test-vectors/generated/edge.json — the
// error and event-kind tables, the event record, and relay messages crossing as bytes (IPv4 and IPv6).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { webcrypto } from "node:crypto";
import { dist, vectorFiles } from "./files.mjs";

const { loadPilotCore, withFullApi, ErrorCodes, EventKinds, decodeEvent, addressText } = await import(`${dist}pilot-core.mjs`);
const core = withFullApi(await loadPilotCore(readFileSync(`${dist}pilot-core.wasm`)));
const edge = vectorFiles().generated.edge;
const unhex = (h) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
const random = (n) => webcrypto.getRandomValues(new Uint8Array(n));
const INVALID_ARGUMENT = -19;

function node(id) {
  const seed = random(32);
  return { h: core.nodeNew({ node: id, identitySeed: seed, entropy: random(48) }), pub: core.ed25519Public(seed) };
}

test("the wrapper's error and event-kind tables are the core's (edge.json)", () => {
  assert.deepEqual(Object.entries(ErrorCodes), edge.error_codes.map((c) => [String(c.code), c.name]));
  assert.deepEqual(Object.entries(EventKinds), edge.event_kinds.map((c) => [String(c.code), c.name]));
});

test("every event record decodes to its fields (edge.json event_records)", () => {
  assert.equal(edge.event_fields.find((f) => f.name === "data").offset, 26);
  for (const r of edge.event_records) {
    const peer = r.peer && { network: r.peer.network, node: r.peer.node, text: addressText(r.peer.network, r.peer.node) };
    assert.deepEqual(decodeEvent(unhex(r.record_hex)), {
      kind: r.kind, stream: r.stream, peer, localPort: r.local_port, remotePort: r.remote_port, value: r.value,
      error: r.error, data: r.data_hex === null ? null : unhex(r.data_hex),
    }, r.kind);
  }
});

test("the node takes each well-formed relay message as bytes and refuses each malformed one", () => {
  const a = node(0x10);
  for (const m of edge.relay_messages) assert.equal(core.nodeHandleRelayMessage(a.h, unhex(m.message_hex), 0), 0, m.message_hex);
  const malformed = edge.relay_malformed.map((m) => {
    if (m.message_hex !== undefined) return unhex(m.message_hex);
    const big = new Uint8Array(m.max_bytes + 1); // "longer than max_bytes": an IPv4 header to port 1, then zeros
    big[0] = 4;
    big[6] = 1;
    return big;
  });
  assert.ok(malformed.length >= 8);
  for (const bytes of malformed) assert.equal(core.nodeHandleRelayMessage(a.h, bytes, 0), INVALID_ARGUMENT, String(bytes.subarray(0, 8)));
  assert.equal(core.nodeHandleRelayMessage(a.h, "127.0.0.1", 0), INVALID_ARGUMENT, "not bytes");
  core.free(a.h);
});

test("a peer added by its address bytes gets transmits whose message header is the relay's (IPv4 and IPv6)", () => {
  const endpoints = edge.relay_messages.filter((m) => m.frame_hex === "");
  assert.ok(endpoints.some((m) => m.ip_hex.length === 32), "an IPv6 endpoint among the cases");
  for (const m of endpoints) {
    const a = node(0x10);
    const b = node(0x11);
    core.nodeTrust(a.h, 0x11, b.pub);
    assert.equal(core.nodeAddPeer(a.h, 0x11, unhex(m.ip_hex), m.port, 0), 0);
    assert.ok(core.nodePing(a.h, 0, 0x11, 0) > 0);
    const t = core.nodePollTransmit(a.h);
    assert.ok(t, "the handshake goes out");
    assert.deepEqual(t.message.subarray(0, m.frame_offset), unhex(m.message_hex), m.ip);
    assert.deepEqual(t.message.subarray(m.frame_offset), t.datagram);
    // the other side takes that message as it is: the source is the endpoint in it
    assert.equal(core.nodeHandleRelayMessage(b.h, t.message, 0), 0);
    core.free(a.h);
    core.free(b.h);
  }
  const a = node(0x10);
  assert.equal(core.nodeAddPeer(a.h, 0x11, new Uint8Array(5), 4000, 0), INVALID_ARGUMENT, "5 address bytes");
  assert.equal(core.nodeAddPeer(a.h, 0x11, new Uint8Array(4), 0, 0), INVALID_ARGUMENT, "port 0");
  core.free(a.h);
});
