// The example Worker in a real local workerd: its HTTP contract, identity persistence, and a real
// Pilot session with a JVM host through the relay (handshake, ping, 1 MB echo with matching SHA-256).
import { SELF, abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { hex, random } from "./bytes.js";
import { routeToPeer } from "../src/worker.js";
import type { PilotEnv, PilotPeerObject } from "../src/durable-object.js";

const auth = { authorization: "Bearer test-secret" };

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`http://worker${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
}

/** A body of n bytes streamed in 64 KiB chunks (no content-length). */
function chunked(n: number): ReadableStream<Uint8Array> {
  let left = n;
  return new ReadableStream<Uint8Array>({
    pull: (c) => {
      if (left <= 0) return c.close();
      const k = Math.min(65536, left);
      left -= k;
      c.enqueue(new Uint8Array(k).fill(0x7b));
    },
  });
}

async function waitConnected(identity = "default"): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const s = (await (await api(`/v1/status?identity=${identity}`)).json()) as Record<string, unknown>;
    if (s.connection === "ready" && s.address) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the Worker never connected to the relay");
}

describe("HTTP face", () => {
  it("refuses requests without the bearer secret", async () => {
    const none = await SELF.fetch("http://worker/v1/status");
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: "UNAUTHORIZED" });
    const wrong = await SELF.fetch("http://worker/v1/status", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
  });

  it("answers bad input with 4xx JSON and a clear message", async () => {
    const cases: Array<[string, RequestInit, number, string]> = [
      ["/v1/ping", { method: "POST", body: "not json" }, 400, "JSON object"],
      ["/v1/ping", { method: "POST", body: JSON.stringify({ address: "1:00A3.F291" }) }, 400, "Pilot address"],
      ["/v1/send", { method: "POST", body: JSON.stringify({ address: "0:0000.0000.0010", port: 0, data: "x" }) }, 400, "port"],
      ["/v1/send", { method: "POST", body: JSON.stringify({ address: "0:0000.0000.0010", port: 7 }) }, 400, "data"],
      ["/v1/streams?address=0:0000.0000.0010", { method: "POST", body: "x" }, 400, "port"],
      // a refused request with a body larger than what is drained (64 KiB) is still answered, not hung
      // (workerd logs "Can't read from request stream after response has been sent" for the cut rest)
      ["/v1/streams?address=0:0000.0000.0010&port=0", { method: "POST", body: new Uint8Array(1 << 20) }, 400, "port"],
      ["/v1/send", { method: "POST", body: JSON.stringify({ address: "0:0000.0000.0010", port: 7, data_base64: "no*base64" }) }, 400, "base64"],
      ["/v1/send", { method: "POST", body: JSON.stringify({ address: "0:0000.0000.0010", port: 7, data: "x", close: "sideways" }) }, 400, "close"],
      ["/v1/streams?address=0:0000.0000.0010&port=7&expect=-3", { method: "POST", body: "x" }, 400, "expect"],
      // over the JSON limit: refused while reading, without a content-length to trust
      ["/v1/send", { method: "POST", body: chunked((2 << 20) + 1000) }, 413, "over"],
      ["/v1/ping", { method: "GET" }, 405, "not allowed"],
      ["/v1/nothing", {}, 404, "no such endpoint"],
      ["/other", {}, 404, "/v1/"],
      ["/v1/status?identity=../../x", {}, 400, "identity"],
    ];
    for (const [path, init, status, text] of cases) {
      const r = await api(path, init);
      expect(r.status, path).toBe(status);
      const body = (await r.json()) as { error: string };
      expect(body.error, path).toContain(text);
      expect(JSON.stringify(body)).not.toContain("    at "); // never a stack trace
    }
  });
});

describe("configuration", () => {
  it("refuses a PILOT_PROFILE other than modern or feb2026 on every route, naming the variable and both values", async () => {
    // before: a typo ran silently as modern
    for (const value of ["modren", "Modern", "feb-2026", ""]) {
      for (const path of ["/v1/status", "/v1/ping", "/pilot/relay-in/default"]) {
        const r = await routeToPeer(new Request(`http://worker${path}`, { headers: auth }), { ...env, PILOT_PROFILE: value });
        expect(r.status, `${value} ${path}`).toBe(500);
        expect(await r.json()).toEqual({ error: `PILOT_PROFILE must be modern or feb2026, not "${value}"`, code: "CONFIG" });
      }
    }
    for (const value of ["modern", "feb2026", undefined]) {
      const r = await routeToPeer(new Request("http://worker/v1/nothing", { headers: auth }), { ...env, PILOT_PROFILE: value });
      expect(r.status, String(value)).toBe(404);
    }
  });

  it("an object its alarm wakes refuses the typo too, instead of starting its peer as modern", async () => {
    // no request reaches it (routeToPeer answers 500 first), but a stored identity's watchdog alarm does
    const stub = env.PILOT.get(env.PILOT.idFromName("profile-typo"));
    await runInDurableObject(stub, async (obj: PilotPeerObject) => {
      (obj as unknown as { env: PilotEnv }).env = { ...(env as PilotEnv), PILOT_PROFILE: "modren" };
      await expect(obj.alarm()).rejects.toThrow('PILOT_PROFILE must be modern or feb2026, not "modren"');
    });
  });
});

describe("a Worker that is a Pilot peer", () => {
  it("keeps its identity across a Durable Object restart", async () => {
    const before = await waitConnected("restart");
    await abortAllDurableObjects();
    const after = await waitConnected("restart");
    expect(after.public_key).toBe(before.public_key);
    expect(after.address).toBe(before.address);
  });

  it("handshakes with the JVM host, pings it and echoes 1 MB with matching SHA-256", async () => {
    const host = inject("hostAddress");
    await waitConnected();
    const ping = await api("/v1/ping", { method: "POST", body: JSON.stringify({ address: host }) });
    expect(ping.status).toBe(200);
    const p = (await ping.json()) as { rtt_ms: number };
    expect(p.rtt_ms).toBeGreaterThanOrEqual(0);

    const data = new Uint8Array(1 << 20);
    for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
    const before = await waitConnected();
    const echoed = await api(`/v1/streams?address=${host}&port=7`, { method: "POST", body: data });
    expect(echoed.status).toBe(200);
    const back = await echoed.arrayBuffer();
    expect(back.byteLength).toBe(data.length);
    expect(await hex(back)).toBe(await hex(data.buffer));
    // the relay takes batches from us (auth_ok "batch":true): the datagrams of a step leave in fewer WebSocket messages
    const after = await waitConnected();
    const datagrams = Number(after.packets_out) - Number(before.packets_out);
    const messages = Number(after.messages_out) - Number(before.messages_out);
    expect(datagrams).toBeGreaterThanOrEqual(256); // 1 MiB in segments of 4096 at least
    expect(messages, `${messages} WebSocket messages for ${datagrams} datagrams`).toBeLessThan(datagrams);

    const send = await api("/v1/send", { method: "POST", body: JSON.stringify({ address: host, port: 7, data: "hello from a Worker" }) });
    const s = (await send.json()) as { reply_base64: string };
    expect(atob(s.reply_base64)).toBe("hello from a Worker");
    // all of it sealed and opened by WebCrypto answering the core's requests
    expect((await waitConnected()).aead).toBe("webcrypto");
  });

  it("echoes 10 MB through a peer that closes both ways on a FIN, with matching SHA-256", async () => {
    const ref = inject("refLikeAddress");
    await waitConnected();
    const data = random(10 << 20);
    const t0 = Date.now();
    const echoed = await api(`/v1/streams?address=${ref}&port=7`, { method: "POST", body: data });
    expect(echoed.status).toBe(200);
    const back = await echoed.arrayBuffer();
    const secs = (Date.now() - t0) / 1000;
    console.log(`10 MiB echoed through the reference-like peer in ${secs.toFixed(2)} s (${(10.48576 / secs).toFixed(2)} MB/s each way)`);
    expect(back.byteLength).toBe(data.length);
    expect(await hex(back)).toBe(await hex(data.buffer));

    const send = await api("/v1/send", { method: "POST", body: JSON.stringify({ address: ref, port: 7, data: "every byte, every time" }) });
    expect(send.status).toBe(200);
    expect(atob(((await send.json()) as { reply_base64: string }).reply_base64)).toBe("every byte, every time");
  });

  it("fails the HTTP transfer when the peer resets mid-reply, and keeps serving", async () => {
    const ref = inject("refLikeAddress");
    await waitConnected();
    const r = await api(`/v1/streams?address=${ref}&port=9`, { method: "POST", body: random(1 << 20) });
    expect(r.status).toBe(200); // the reply had begun
    await expect(r.arrayBuffer()).rejects.toThrow();

    const s = await api("/v1/send", { method: "POST", body: JSON.stringify({ address: ref, port: 9, data_base64: btoa("x".repeat(300_000)) }) });
    expect(s.status).toBe(502);
    expect(await s.json()).toMatchObject({ code: expect.stringMatching(/STREAM_RESET|REPLY_INCOMPLETE/) });

    // before the first byte: JSON with a code
    const refused = await api(`/v1/streams?address=${ref}&port=4444`, { method: "POST", body: "nobody listens" });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ code: "REFUSED" });

    // the Durable Object did not restart: same node, still answering
    const ping = await api("/v1/ping", { method: "POST", body: JSON.stringify({ address: ref }) });
    expect(ping.status).toBe(200);
  });

  it("survives a relay restart by reconnecting", async () => {
    const host = inject("hostAddress");
    const before = await waitConnected();
    const r = await fetch(`${env.CONTROL_URL}/restart-relay`);
    expect(await r.text()).toBe("restarted");
    let ok = false;
    const until = Date.now() + 60_000;
    while (!ok && Date.now() < until) {
      const res = await api("/v1/ping", { method: "POST", body: JSON.stringify({ address: host }) });
      ok = res.status === 200;
      if (!ok) await new Promise((w) => setTimeout(w, 200));
    }
    expect(ok).toBe(true);
    const after = await waitConnected();
    expect(after.address).toBe(before.address); // same Pilot address after reconnecting
    expect(Number(after.reconnects)).toBeGreaterThan(0);
    // connected again: the loss is no longer the status's last_error (before: the old error stayed beside "ready")
    expect(after.last_error).toBeNull();
  });
});
