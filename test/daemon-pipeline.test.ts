/**
 * End to end with the REAL pipeline (src/pipeline/reconstruct.ts in the daemon's worker process,
 * and in-process for the CLI) at the draft preset: a photo without a face fails with 422
 * no_face_found (CLI exit 3), a face index beyond the faces found likewise, and the sample photo
 * gives a done job whose files download. One model load per worker; kept to draft for time.
 * Each test's time-out is its job wait's (a real job beside another test file on a busy 2-core
 * machine outlasts the suite's 120 s default).
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reconstructCommand, DEFAULT_DEPS } from "../src/cli/commands/reconstruct.ts";
import { CliError } from "../src/cli/errors.ts";
import { PIPELINE_MODULE } from "../src/daemon/config.ts";
import { reconstructInChildProcess, type ChildProcessReconstruct } from "../src/daemon/pipeline-process.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { jobForm, startTestDaemon, tempDir, waitForJob, type TestDaemon } from "./daemon-support/harness.ts";

const PIPELINE_PRESENT = existsSync(PIPELINE_MODULE);
if (!PIPELINE_PRESENT) console.warn(`daemon-pipeline.test.ts skipped: ${PIPELINE_MODULE} does not exist yet`);

/** A 320×320 photo of a smooth sky-to-ground gradient with mild noise: nothing face-like. */
async function facelessPhoto(): Promise<Buffer> {
  const w = 320;
  const px = Buffer.alloc(w * w * 3);
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 12;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const t = y / w;
      px[i] = Math.round(90 + 80 * t + rand());
      px[i + 1] = Math.round(150 - 20 * t + rand());
      px[i + 2] = Math.round(230 - 150 * t + rand());
    }
  }
  return sharp(px, { raw: { width: w, height: w, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
}

describe.skipIf(!PIPELINE_PRESENT)("real pipeline through the daemon and the CLI (draft)", () => {
  let worker: ChildProcessReconstruct;
  let d: TestDaemon;
  const out = tempDir("pipeline-e2e");

  beforeAll(async () => {
    worker = reconstructInChildProcess({ module: PIPELINE_MODULE });
    d = await startTestDaemon(worker);
  });
  afterAll(async () => {
    await d?.dispose();
    await worker?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("a photo with no face: the job fails with 422 no_face_found at capture; the daemon stays up", { timeout: 300_000 }, async () => {
    const res = await fetch(`${d.url}/v1/jobs`, { method: "POST", body: jobForm(await facelessPhoto(), { preset: "draft" }) });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    const job = await waitForJob(d.url, id, (j) => j.state !== "queued" && j.state !== "running", 300_000);
    expect(job.state).toBe("failed");
    expect(job.error).toMatchObject({ code: "no_face_found", status: 422, stage: "capture" });
    const files = await fetch(`${d.url}/v1/jobs/${id}/files`);
    expect(files.status).toBe(422);
    expect((await files.json()).error.message).toMatch(/no face/i);
    expect((await (await fetch(`${d.url}/v1/health`)).json()).ok).toBe(true);
  });

  it("a face index beyond the faces found: 422 face_index_out_of_range", { timeout: 300_000 }, async () => {
    const { id } = await (await fetch(`${d.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT, { preset: "draft", face: "7" }) })).json();
    const job = await waitForJob(d.url, id, (j) => j.state !== "queued" && j.state !== "running", 300_000);
    expect(job.error).toMatchObject({ code: "face_index_out_of_range", status: 422 });
  });

  it("the sample photo at draft: done, with a GLB, maps and a report that download", { timeout: 600_000 }, async () => {
    // `target=source`: the downloads are tested, not the KTX2 encode (≈ 4.5 CPU s; gltf-delivery and reconstruct test it).
    const { id } = await (await fetch(`${d.url}/v1/jobs`, { method: "POST", body: jobForm(ASTRONAUT, { preset: "draft", target: "source" }) })).json();
    const job = await waitForJob(d.url, id, (j) => j.state !== "queued" && j.state !== "running", 600_000);
    expect(job.error).toBeNull();
    expect(job.state).toBe("done");
    expect(Object.keys(job.timings.stages)).toEqual(expect.arrayContaining(["capture", "fit", "unwrap", "package"]));
    const { files } = await (await fetch(`${d.url}/v1/jobs/${id}/files`)).json();
    const names: string[] = files.map((f: { name: string }) => f.name);
    expect(names).toEqual(expect.arrayContaining(["head.glb", "report.json"]));
    expect(names.some((n) => n.startsWith("maps/") && n.endsWith(".png"))).toBe(true);
    const glb = new Uint8Array(await (await fetch(`${d.url}/v1/jobs/${id}/files/head.glb`)).arrayBuffer());
    expect(new TextDecoder().decode(glb.subarray(0, 4))).toBe("glTF");
    expect(glb.length).toBe(files.find((f: { name: string }) => f.name === "head.glb").size);
    const report = await (await fetch(`${d.url}/v1/jobs/${id}/files/report.json`)).json();
    expect(report.options).toMatchObject({ preset: "draft", target: "source" });
  });

  it("the CLI exits 3 on a photo with no face, naming the photo and the stage", async () => {
    const photo = join(out, "sky.jpg");
    await sharp(await facelessPhoto()).toFile(photo);
    const quiet = { ...DEFAULT_DEPS, stdout: { write: () => true } };
    const err = await reconstructCommand(photo, { out: join(out, "sky"), preset: "draft" }, quiet).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(3);
    expect((err as CliError).message).toMatch(/sky\.jpg: .*no face.*capture.*no_face_found/i);
    expect(existsSync(join(out, "sky"))).toBe(false);
    expect(readFileSync(photo).length).toBeGreaterThan(0);
  });
});
