/**
 * The daemon's HTTP API and bad-input handling, with the pipeline replaced by a TEST DOUBLE
 * (test/daemon-support/reconstruct-test-double.ts) so queue, storage and errors are checked in
 * milliseconds. The real pipeline's end-to-end checks are in daemon-pipeline.test.ts.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReconstructDouble, sha256 } from "./daemon-support/reconstruct-test-double.ts";
import { ASTRONAUT, jpegWithExif, pngDeclaring, truncatedJpeg } from "./daemon-support/inputs.ts";
import { jobForm, startTestDaemon, tempDir, waitForJob, type TestDaemon } from "./daemon-support/harness.ts";

const double = createReconstructDouble({ stageMs: 2 });
let d: TestDaemon;
let doneJob: { id: string; reportSha: string };

async function post(form: FormData, headers: Record<string, string> = {}) {
  const res = await fetch(`${d.url}/v1/jobs`, { method: "POST", body: form, headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

beforeAll(async () => {
  d = await startTestDaemon(double, { maxMegapixels: 50 });
});
afterAll(async () => d?.dispose());

describe("a good job", () => {
  it("is accepted with 202, runs, and serves its outputs", async () => {
    const res = await post(jobForm(ASTRONAUT, { preset: "draft", formats: "glb,maps" }));
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/v1/jobs/${res.body.id}`);
    expect(res.body.urls.events).toBe(`/v1/jobs/${res.body.id}/events`);
    const job = await waitForJob(d.url, res.body.id, (j) => j.state === "done");
    expect(job.percent).toBe(100);
    expect(job.options).toEqual({ preset: "draft", face: 0, formats: ["glb", "maps"] });
    expect(Object.keys(job.timings.stages)).toContain("capture");
    expect(job.input).toMatchObject({ mediaType: "image/png", width: 512, height: 512 });

    const files = await (await fetch(`${d.url}/v1/jobs/${job.id}/files`)).json();
    expect(files.files.map((f: { name: string }) => f.name)).toEqual(["report.json", "maps/photo.png"]);
    const report = await fetch(`${d.url}${files.files[0].url}`);
    expect(report.headers.get("content-type")).toMatch(/^application\/json/);
    const reportBytes = new Uint8Array(await report.arrayBuffer());
    expect(JSON.parse(new TextDecoder().decode(reportBytes)).options.preset).toBe("draft");
    doneJob = { id: job.id, reportSha: sha256(reportBytes) };
  });

  it("streams progress over SSE and ends with the final state", async () => {
    const { body } = await post(jobForm(ASTRONAUT, { preset: "draft" }));
    const res = await fetch(`${d.url}${body.urls.events}`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the server closes the stream after `end`
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events.at(-1)).toBe("end");
    expect(events.filter((e) => e === "end")).toHaveLength(1);
    const last = JSON.parse(text.trim().split("\n").at(-1)!.replace(/^data: /, ""));
    expect(last.state).toBe("done");
    // A finished job's stream is just the end event.
    const again = await (await fetch(`${d.url}${body.urls.events}`)).text();
    expect([...again.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual(["end"]);
  });

  it("stores the photo without EXIF, upright", async () => {
    const { body } = await post(jobForm(await jpegWithExif()));
    const job = await waitForJob(d.url, body.id, (j) => j.state === "done");
    const stored = readFileSync(join(d.dataDir, "jobs", job.id, "photo.png"));
    const meta = await sharp(stored).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect([meta.width, meta.height]).toEqual([64, 96]); // orientation 6 applied before dropping EXIF
    expect(stored.includes(Buffer.from("SecretCam"))).toBe(false);
  });
});

describe("bad input gets the right status and message", () => {
  it("zero bytes → 400 empty_upload", async () => {
    const res = await post(jobForm(new Uint8Array(0)));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "empty_upload" });
  });

  it("text renamed .jpg → 415, judged from the bytes", async () => {
    const form = new FormData();
    form.append("photo", new Blob(["just some text, not a photo"], { type: "image/jpeg" }), "face.jpg");
    const res = await post(form);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe("unsupported_media_type");
    expect(res.body.error.message).toMatch(/first bytes/);
  });

  it("truncated JPEG → 422 invalid_image", async () => {
    const res = await post(jobForm(await truncatedJpeg()));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("invalid_image");
    expect(res.body.error.message).toMatch(/truncated|premature/i);
  });

  it("a PNG declaring 60000×60000 → 413 before decoding", async () => {
    const res = await post(jobForm(pngDeclaring(60000, 60000), {}, "bomb.png"));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("image_too_large");
    expect(res.body.error.message).toContain("60000×60000");
  });

  it("unknown preset, unknown field, bad face, missing photo → 400 naming the problem", async () => {
    const preset = await post(jobForm(ASTRONAUT, { preset: "superb" }));
    expect(preset.status).toBe(400);
    expect(preset.body.error).toMatchObject({ code: "invalid_option" });
    expect(preset.body.error.message).toMatch(/preset must be one of draft, standard, high, ultra/);
    const field = await post(jobForm(ASTRONAUT, { quality: "max" }));
    expect(field.body.error.message).toMatch(/unknown field "quality"/);
    const face = await post(jobForm(ASTRONAUT, { face: "-1" }));
    expect(face.status).toBe(400);
    const form = new FormData();
    form.append("preset", "draft");
    const missing = await post(form);
    expect([missing.status, missing.body.error.code]).toEqual([400, "missing_photo"]);
  });

  /** Streams a multipart upload of `totalBytes` without holding it in memory; resolves on the response. */
  function streamUpload(totalBytes: number, declareLength: boolean): Promise<{ status: number; body: string; sentBytes: number }> {
    const boundary = "----porelightTestBoundary";
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="huge.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff`, "latin1");
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const chunk = Buffer.alloc(1 << 20, 0x41);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { "Content-Type": `multipart/form-data; boundary=${boundary}` };
      if (declareLength) headers["Content-Length"] = head.length + totalBytes + tail.length;
      const req = request(`${d.url}/v1/jobs`, { method: "POST", headers });
      let sent = 0;
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body, sentBytes: sent }));
      });
      req.on("error", (err) => (answered ? undefined : reject(err))); // EPIPE after the answer is expected
      const pump = () => {
        if (sent === 0) req.write(head);
        while (!answered && sent < totalBytes) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        if (!answered) req.end(tail);
      };
      pump();
    });
  }

  it("a 200 MB body → 413 without reading it all", async () => {
    const chunked = await streamUpload(200 << 20, false);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("upload_too_large");
    expect(chunked.sentBytes).toBeLessThan(200 << 20);
    const declared = await streamUpload(200 << 20, true);
    expect(declared.status).toBe(413);
    expect(declared.sentBytes).toBeLessThan(100 << 20);
  });

  it("path traversal in file names and job ids → 400/404, nothing outside the job served", async () => {
    for (const path of ["..%2F..%2Fjob.json", "..%2Fphoto.png", "%2e%2e/photo.png", "maps/..%2F..%2Fjob.json", "%2Fetc%2Fpasswd", ".hidden"]) {
      const res = await fetch(`${d.url}/v1/jobs/${doneJob.id}/files/${path}`);
      expect([400, 404], path).toContain(res.status);
      expect((await res.json()).error.code, path).toMatch(/invalid_file_name|file_not_found|not_found/);
    }
    expect((await fetch(`${d.url}/v1/jobs/${doneJob.id}/files/photo.png`)).status).toBe(404); // exists on disk, not an output
    expect((await fetch(`${d.url}/v1/jobs/..%2F..%2Fetc/files`)).status).toBe(404);
  });

  it("a pipeline output name that escapes the job fails the job and writes nothing", async () => {
    const evil = createReconstructDouble({ stageMs: 1, extraFileNames: ["../../escaped.txt"] });
    const e = await startTestDaemon(evil);
    try {
      const { body } = await (await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json().then((b) => ({ body: b }));
      const job = await waitForJob(e.url, body.id, (j) => j.state === "failed");
      expect(job.error.code).toBe("invalid_output_name");
      expect(existsSync(join(e.dataDir, "escaped.txt"))).toBe(false);
      expect(existsSync(join(e.dataDir, "jobs", "escaped.txt"))).toBe(false);
      const left = readdirSync(join(e.dataDir, "jobs", job.id));
      expect(left).toContain("photo.png");
      expect(left.filter((n) => n === "out" || n.startsWith(".staging"))).toEqual([]);
    } finally {
      await e.dispose();
    }
  });

  it("a pipeline error with an input code fails the job with that code and status", async () => {
    const faceless = createReconstructDouble({ failWith: { code: "no_face_found", message: "no face found in the photo" } });
    const e = await startTestDaemon(faceless);
    try {
      const body = await (await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json();
      const job = await waitForJob(e.url, body.id, (j) => j.state === "failed");
      expect(job.error).toMatchObject({ code: "no_face_found", status: 422, stage: "capture" });
      const files = await fetch(`${e.url}/v1/jobs/${job.id}/files`);
      expect(files.status).toBe(422);
      expect((await files.json()).error.code).toBe("no_face_found");
    } finally {
      await e.dispose();
    }
  });

  it("the daemon is still up and earlier outputs are intact", async () => {
    const health = await (await fetch(`${d.url}/v1/health`)).json();
    expect(health).toMatchObject({ ok: true, queue: { limit: 16 } });
    // The delay figures come from one histogram: finite and ordered p50 ≤ p99 ≤ max.
    const { p50, p99, max } = health.eventLoopDelayMs;
    expect([p50, p99, max].every(Number.isFinite)).toBe(true);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
    const report = await fetch(`${d.url}/v1/jobs/${doneJob.id}/files/report.json`);
    expect(sha256(new Uint8Array(await report.arrayBuffer()))).toBe(doneJob.reportSha);
    const unknown = await fetch(`${d.url}/v1/nothing`);
    expect([unknown.status, (await unknown.json()).error.code]).toEqual([404, "not_found"]);
  });
});

describe("queue, cancel, delete", () => {
  it("a flood beyond the queue gets 429 + Retry-After; accepted jobs all finish, none lost or duplicated", async () => {
    const slow = createReconstructDouble({ stageMs: 60 });
    const e = await startTestDaemon(slow, { queueLimit: 3 });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, () => fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT, { preset: "draft" }) })),
      );
      const accepted = results.filter((r) => r.status === 202);
      const refused = results.filter((r) => r.status === 429);
      expect(accepted.length + refused.length).toBe(12);
      expect(accepted.length).toBeGreaterThanOrEqual(4); // one running + three waiting
      expect(accepted.length).toBeLessThan(12);
      expect(Number(refused[0].headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await refused[0].json()).error.code).toBe("queue_full");
      const ids = await Promise.all(accepted.map(async (r) => (await r.json()).id as string));
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) await waitForJob(e.url, id, (j) => j.state === "done");
      expect(slow.calls).toHaveLength(ids.length);
      const listed = (await (await fetch(`${e.url}/v1/jobs`)).json()).jobs.map((j: { id: string }) => j.id);
      expect(listed.sort()).toEqual([...ids].sort());
    } finally {
      await e.dispose();
    }
  });

  it("DELETE cancels a queued job and a running job, then deletes finished ones", async () => {
    const slow = createReconstructDouble({ stageMs: 200 });
    const e = await startTestDaemon(slow);
    try {
      const a = await (await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json();
      const b = await (await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT) })).json();
      await waitForJob(e.url, a.id, (j) => j.state === "running" && j.stage !== null);
      const queued = await (await fetch(`${e.url}/v1/jobs/${b.id}`)).json();
      expect(queued).toMatchObject({ state: "queued", queuePosition: 0 });
      const cancelQueued = await (await fetch(`${e.url}/v1/jobs/${b.id}`, { method: "DELETE" })).json();
      expect(cancelQueued.state).toBe("cancelled");
      const t0 = Date.now();
      const cancelRunning = await (await fetch(`${e.url}/v1/jobs/${a.id}`, { method: "DELETE" })).json();
      expect(cancelRunning.state).toBe("cancelled");
      expect(Date.now() - t0).toBeLessThan(1000); // aborted mid-stage, not after the whole job
      expect((await fetch(`${e.url}/v1/jobs/${a.id}/files`)).status).toBe(409);
      const del = await fetch(`${e.url}/v1/jobs/${a.id}`, { method: "DELETE" });
      expect(await del.json()).toEqual({ id: a.id, deleted: true });
      expect((await fetch(`${e.url}/v1/jobs/${a.id}`)).status).toBe(404);
      expect(existsSync(join(e.dataDir, "jobs", a.id))).toBe(false);
    } finally {
      await e.dispose();
    }
  });
});

describe("models and scenes", () => {
  it("lists the model catalog with cache state", async () => {
    const res = await fetch(`${d.url}/v1/models`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(typeof body.cacheDir).toBe("string");
    const ids = body.models.map((m: { id: string }) => m.id);
    expect(ids).toContain("blazeface");
    expect(ids).toContain("esrgan-slim-x2");
    for (const m of body.models) expect(typeof m.cached).toBe("boolean");
  });

  it("serves the built sample scenes at /scenes/ and nothing outside them", async () => {
    const scenes = tempDir("scenes");
    writeFileSync(join(scenes, "index.html"), "<!doctype html><title>scenes</title>");
    const e = await startTestDaemon(createReconstructDouble(), { scenesDir: scenes });
    try {
      const index = await fetch(`${e.url}/scenes/`);
      expect([index.status, index.headers.get("content-type")]).toEqual([200, "text/html; charset=utf-8"]);
      expect(await index.text()).toContain("<title>scenes</title>");
      for (const path of ["/scenes/..%2Findex.html", "/scenes/%2e%2e/%2e%2e/etc/passwd", "/scenes/missing.js"]) {
        expect((await fetch(`${e.url}${path}`)).status, path).toBe(404);
      }
    } finally {
      await e.dispose();
      rmSync(scenes, { recursive: true, force: true });
    }
  });
});

describe("security", () => {
  it("a token guards every route but health; CORS only for listed origins", async () => {
    const token = "a-test-token-of-sufficient-length";
    const e = await startTestDaemon(createReconstructDouble(), { host: "127.0.0.1", token, corsOrigin: ["http://localhost:5173"] });
    try {
      expect((await fetch(`${e.url}/v1/health`)).status).toBe(200);
      const anon = await fetch(`${e.url}/v1/jobs`);
      expect([anon.status, anon.headers.get("www-authenticate")]).toEqual([401, 'Bearer realm="porelight"']);
      expect((await fetch(`${e.url}/v1/jobs`, { headers: { Authorization: "Bearer wrong-token-wrong-token" } })).status).toBe(401);
      const auth = { Authorization: `Bearer ${token}` };
      expect((await fetch(`${e.url}/v1/jobs`, { headers: auth })).status).toBe(200);

      const ok = await fetch(`${e.url}/v1/jobs`, { headers: { ...auth, Origin: "http://localhost:5173" } });
      expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      const preflight = await fetch(`${e.url}/v1/jobs`, { method: "OPTIONS", headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST" } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
      const foreign = await fetch(`${e.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT), headers: { ...auth, Origin: "http://evil.example" } });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await e.dispose();
    }
  });

  it("without a token on loopback, a foreign Host header (DNS rebinding) is refused", async () => {
    const res = await new Promise<number>((resolve, reject) => {
      request(`${d.url}/v1/jobs`, { headers: { Host: "attacker.example:7860" } }, (r) => resolve(r.statusCode!)).on("error", reject).end();
    });
    expect(res).toBe(403);
  });
});
