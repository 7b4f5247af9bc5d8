/**
 * Issue 20's probe findings, each as a test with the pipeline TEST DOUBLE: malformed percent
 * escapes, slow uploads (real sockets on loopback, few and short), the 413 connection, aborted
 * downloads, one-sentence image errors, bracketed field names, tokens that cannot authenticate.
 */
import { existsSync, readFileSync } from "node:fs";
import { Agent, createServer, request } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/daemon/config.ts";
import { createReconstructDouble } from "./daemon-support/reconstruct-test-double.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { jobForm, recordingLogger, startTestDaemon, waitForJob, type TestDaemon } from "./daemon-support/harness.ts";

const log = recordingLogger();
let d: TestDaemon;
let doneId: string;

/** GET with the path sent byte for byte (fetch would normalise some escapes). */
function rawGet(base: string, path: string, agent?: Agent): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}/`, { path, agent }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    })
      .on("error", reject)
      .end();
  });
}

beforeAll(async () => {
  d = await startTestDaemon(createReconstructDouble({ stageMs: 1, bigFileBytes: 64 << 20 }), {}, undefined, log);
  const { id } = await (await fetch(`${d.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json();
  doneId = (await waitForJob(d.url, id, (j) => j.state === "done")).id;
});
afterAll(async () => d?.dispose());

describe("start-up order", () => {
  it("a daemon that cannot bind its port computes nothing, and leaves its jobs queued and its data directory unlocked", async () => {
    // A data directory with a job left queued by a daemon that stopped.
    const first = await startTestDaemon(createReconstructDouble({ stageMs: 300 }));
    const submit = async () => (await (await fetch(`${first.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json()).id as string;
    await submit();
    const queued = await submit();
    await first.close();
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const port = (blocker.address() as AddressInfo).port;
    const second = createReconstructDouble({ stageMs: 1 });
    try {
      await expect(startTestDaemon(second, { port }, first.dataDir)).rejects.toMatchObject({ code: "EADDRINUSE" });
      await new Promise((r) => setTimeout(r, 300)); // a queue started before listening would be computing by now
      expect(second.calls).toHaveLength(0);
      expect(JSON.parse(readFileSync(join(first.dataDir, "jobs", queued, "job.json"), "utf8")).state).toBe("queued");
      expect(existsSync(join(first.dataDir, "daemon.lock"))).toBe(false);
    } finally {
      blocker.close();
      await first.dispose();
    }
  });
});

describe("malformed percent escapes", () => {
  it("answer 400 invalid_url with a JSON body, and log no internal error", async () => {
    const paths = ["%", "%zz", "%C0%AE%C0%AE", "%FF%FE", "maps/%E0%A4%A"].map((p) => `/v1/jobs/${doneId}/files/${p}`);
    paths.push("/v1/jobs/%zz", "/v1/jobs/%zz/events");
    for (const path of paths) {
      const res = await rawGet(d.url, path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body).error.code, path).toBe("invalid_url");
    }
    expect(log.lines.filter((l) => l.includes("internal error"))).toEqual([]);
  });
});

describe("slow uploads", () => {
  /** Opens an upload that sends its headers and the start of the body, then one byte every `everyMs`. */
  function trickle(base: string, everyMs: number): { socket: Socket; answer: Promise<string> } {
    const { port } = new URL(base);
    const socket = connect(Number(port), "127.0.0.1");
    const boundary = "----trickle";
    socket.write(
      `POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="slow.png"\r\n\r\n`,
    );
    const timer = setInterval(() => socket.writable && socket.write("A"), everyMs);
    let text = "";
    socket.on("data", (c) => (text += c));
    socket.on("error", () => {});
    const answer = new Promise<string>((resolve) => socket.on("close", () => (clearInterval(timer), resolve(text))));
    return { socket, answer };
  }

  it("uploads in progress do not fill the queue; health and 429 tell the truth; trickling uploads are cut early with 408", async () => {
    const e = await startTestDaemon(createReconstructDouble({ stageMs: 1 }), { queueLimit: 1, uploadGraceMs: 1500, uploadMinBytesPerS: 1024 });
    const slow = Array.from({ length: 4 }, () => trickle(e.url, 100));
    try {
      await new Promise((r) => setTimeout(r, 400)); // the four uploads are in progress
      const health = await (await fetch(`${e.url}/v1/health`)).json();
      expect(health.queue).toMatchObject({ running: 0, queued: 0, uploading: 4 });
      const res = await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) });
      expect(res.status).toBe(202);
      const t0 = Date.now();
      const answers = await Promise.all(slow.map((s) => s.answer));
      expect(Date.now() - t0).toBeLessThan(8000); // grace 1.5 s, then the rate check
      for (const a of answers) {
        expect(a).toMatch(/^HTTP\/1\.1 408 /);
        expect(a).toMatch(/"code":"upload_too_slow"/);
      }
      const after = await (await fetch(`${e.url}/v1/health`)).json();
      expect(after.queue.uploading).toBe(0);
    } finally {
      for (const s of slow) s.socket.destroy();
      await e.dispose();
    }
  });

  it("beyond the cap on uploads in progress: 503 too_many_uploads, not 429 queue_full", async () => {
    const e = await startTestDaemon(createReconstructDouble({ stageMs: 1 }), { maxUploads: 2, uploadGraceMs: 5000 });
    const slow = [trickle(e.url, 100), trickle(e.url, 100)];
    try {
      await new Promise((r) => setTimeout(r, 300));
      const res = await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).error).toMatchObject({ code: "too_many_uploads" });
      // Refused before its body was read: the connection closes instead of waiting for that body.
      expect(res.headers.get("connection")).toBe("close");
    } finally {
      for (const s of slow) s.socket.destroy();
      await e.dispose();
    }
  });

  it("a client that never finishes its headers is cut off after the headers deadline", async () => {
    const e = await startTestDaemon(createReconstructDouble(), { headersTimeoutMs: 1000 });
    try {
      const { port } = new URL(e.url);
      const socket = connect(Number(port), "127.0.0.1");
      socket.write("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      const timer = setInterval(() => socket.writable && socket.write("a"), 100);
      socket.on("error", () => {});
      const t0 = Date.now();
      await new Promise((r) => socket.on("close", r));
      clearInterval(timer);
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      await e.dispose();
    }
  });
});

describe("the connection after a 413", () => {
  it("says Connection: close, and a pooled client's next request succeeds", async () => {
    const e = await startTestDaemon(createReconstructDouble(), { maxUploadMb: 1 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = Buffer.alloc(3 << 20, 0x41);
      const first = await new Promise<{ status: number; connection: unknown; body: string }>((resolve, reject) => {
        const req = request(`${e.url}/v1/jobs`, { method: "POST", agent, headers: { "Content-Type": "multipart/form-data; boundary=x", "Content-Length": body.length } }, (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
      expect(first.status).toBe(413);
      expect(JSON.parse(first.body).error.code).toBe("upload_too_large");
      expect(first.connection).toBe("close");
      await new Promise((r) => setTimeout(r, 1200)); // past the old linger, when the reset came
      expect((await rawGet(e.url, "/v1/health", agent)).status).toBe(200);
    } finally {
      agent.destroy();
      await e.dispose();
    }
  });
});

describe("smaller findings", () => {
  it("a client that aborts a download is not logged as an internal error", async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(`${d.url}/v1/jobs/${doneId}/files/big.bin`, (res) => {
        expect(res.statusCode).toBe(200);
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => {});
      req.on("close", resolve);
      req.end();
      setTimeout(() => reject(new Error("no data")), 10_000).unref();
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(log.lines.filter((l) => l.startsWith("warn"))).toEqual([]);
    expect((await fetch(`${d.url}/v1/health`)).status).toBe(200);
  });

  it("a corrupt AVIF's error is one line, without libvips' trace", async () => {
    const avif = Buffer.alloc(64, 0x41);
    avif.writeUInt32BE(24, 0);
    avif.write("ftypavif", 4, "ascii");
    avif.writeUInt32BE(0, 12);
    avif.write("avifmif1", 16, "ascii");
    const res = await fetch(`${d.url}/v1/jobs`, { method: "POST", body: jobForm(avif, {}, "bad.avif") });
    expect(res.status).toBe(422);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_image");
    expect(error.message).not.toContain("\n");
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toMatch(/^the AVIF/);
  });

  it("bracketed field names (preset[]) are refused, not read as preset", async () => {
    const form = jobForm(ASTRONAUT, { "preset[]": "high" });
    const res = await fetch(`${d.url}/v1/jobs`, { method: "POST", body: form });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_option");
    expect(error.message).toContain('"preset[]"');
  });

  it("a token with whitespace or non-ASCII characters is refused at start-up", () => {
    for (const token of ["correct horse battery staple", "tab\tinside-the-token-123", "naïve-token-with-accent-1234"]) {
      expect(() => resolveConfig({ token }, {}), token).toThrow(ConfigError);
      expect(() => resolveConfig({ token }, {}), token).toThrow(/printable ASCII/);
    }
    expect(resolveConfig({ token: "abcdefghijklmnop-QRSTUV_0123~+/=" }, {}).token).toBe("abcdefghijklmnop-QRSTUV_0123~+/=");
  });
});
