/**
 * `porelight reconstruct` and `porelight batch` with the pipeline replaced by a TEST DOUBLE
 * (test/daemon-support/reconstruct-test-double.ts): outputs, JSON summaries, exit codes, skipping
 * unchanged photos, continuing past failures, parallel worker processes. The real pipeline's
 * CLI run is in daemon-pipeline.test.ts.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { batchCommand } from "../src/cli/commands/batch.ts";
import { expandInputs, outputNames } from "../src/cli/batch-build.ts";
import { reconstructCommand, type JobCommandDeps } from "../src/cli/commands/reconstruct.ts";
import { reconstructInChildProcess } from "../src/daemon/pipeline-process.ts";
import type { ReconstructFn } from "../src/daemon/pipeline-loader.ts";
import { ASTRONAUT } from "./daemon-support/inputs.ts";
import { tempDir } from "./daemon-support/harness.ts";
import { capturedOutput, exitCodeOf } from "./support/cli-output.ts";
import { createReconstructDouble, type DoubleBehaviour } from "./daemon-support/reconstruct-test-double.ts";

const root = tempDir("cli");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FIXTURE = fileURLToPath(new URL("./fixtures/astronaut-nasa-public-domain.png", import.meta.url));
const DOUBLE_MODULE = fileURLToPath(new URL("./daemon-support/reconstruct-test-double.ts", import.meta.url));

function deps(pipeline: ReconstructFn, behaviour: DoubleBehaviour = {}) {
  const { stdout, stderr, out, err } = capturedOutput();
  const d: JobCommandDeps = {
    loadPipeline: async () => pipeline,
    startWorker: () => reconstructInChildProcess({ module: DOUBLE_MODULE, env: { PORELIGHT_TEST_DOUBLE: JSON.stringify(behaviour) } }),
    stdout,
    stderr,
  };
  return { d, out, err };
}

describe("porelight reconstruct", () => {
  it("writes the outputs and a JSON summary; progress goes to stderr", async () => {
    const out = join(root, "one");
    const io = deps(createReconstructDouble());
    const outcome = await reconstructCommand(FIXTURE, { out, preset: "draft", json: true }, io.d);
    expect(outcome.status).toBe("done");
    expect(readdirSync(out).sort()).toEqual(["maps", "report.json"]);
    const summary = JSON.parse(io.out());
    expect(summary).toMatchObject({ status: "done", options: { preset: "draft", face: 0 } });
    expect(summary.files.map((f: { name: string }) => f.name)).toEqual(["report.json", "maps/photo.png"]);
    expect(io.err()).toMatch(/: capture \(0%\)\n[\s\S]*: package \(\d+%\)\n[\s\S]*: done\n/);
  });

  it("exit codes: 2 bad usage or photo, 3 no face, 1 failed", async () => {
    const ok = createReconstructDouble();
    const text = join(root, "notes.jpg");
    writeFileSync(text, "not a photo");
    expect(await exitCodeOf(reconstructCommand(join(root, "missing.jpg"), { out: join(root, "x") }, deps(ok).d))).toBe(2);
    expect(await exitCodeOf(reconstructCommand(text, { out: join(root, "x") }, deps(ok).d))).toBe(2);
    expect(await exitCodeOf(reconstructCommand(FIXTURE, { out: join(root, "x"), preset: "best" }, deps(ok).d))).toBe(2);
    expect(await exitCodeOf(reconstructCommand(FIXTURE, { out: join(root, "x"), face: "two" }, deps(ok).d))).toBe(2);
    const faceless = createReconstructDouble({ failWith: { code: "no_face_found", message: "no face found" } });
    expect(await exitCodeOf(reconstructCommand(FIXTURE, { out: join(root, "x") }, deps(faceless).d))).toBe(3);
    const broken = createReconstructDouble({ failWith: { code: "estimator_failed", message: "boom" } });
    expect(await exitCodeOf(reconstructCommand(FIXTURE, { out: join(root, "x") }, deps(broken).d))).toBe(1);
    const evil = createReconstructDouble({ extraFileNames: ["../escaped.txt"] });
    expect(await exitCodeOf(reconstructCommand(FIXTURE, { out: join(root, "x") }, deps(evil).d))).toBe(1);
    expect(existsSync(join(root, "escaped.txt"))).toBe(false);
    expect(existsSync(join(root, "x"))).toBe(false); // nothing written by any failed run
  });
});

describe("porelight batch", () => {
  const photos = join(root, "photos");
  mkdirSync(photos, { recursive: true });
  copyFileSync(FIXTURE, join(photos, "a.png"));
  copyFileSync(FIXTURE, join(photos, "b.png"));
  writeFileSync(join(photos, "c.jpg"), "text renamed .jpg");
  writeFileSync(join(photos, "readme.txt"), "ignored: not a photo extension");

  it("expands directories and globs; names outputs by stem", async () => {
    expect((await expandInputs([photos])).map((p) => p.split("/").pop())).toEqual(["a.png", "b.png", "c.jpg"]);
    expect((await expandInputs([`${photos}/*.png`])).map((p) => p.split("/").pop())).toEqual(["a.png", "b.png"]);
    expect((await expandInputs([`${root}/**/b.png`])).map((p) => p.split("/").pop())).toEqual(["b.png"]);
    expect([...outputNames(["/x/face.jpg", "/y/face.png", "/x/other.jpg"]).values()]).toEqual(["face-jpg", "face-png", "other"]);
  });

  it("continues past failures, exits 1, then skips unchanged photos and rebuilds changed ones", async () => {
    const out = join(root, "batch-out");
    const pipeline = createReconstructDouble();
    const first = deps(pipeline);
    expect(await exitCodeOf(batchCommand([photos], { out, preset: "draft" }, first.d))).toBe(1);
    expect(first.out()).toMatch(/a\.png\s+done/);
    expect(first.out()).toMatch(/c\.jpg\s+failed .*unsupported_media_type/);
    expect(first.out()).toMatch(/2 built, 0 skipped, 1 failed/);
    expect(readdirSync(out).sort()).toEqual(["a", "b"]);
    expect(pipeline.calls).toHaveLength(2);

    const second = deps(pipeline);
    await exitCodeOf(batchCommand([photos], { out, preset: "draft" }, second.d));
    expect(second.out()).toMatch(/0 built, 2 skipped, 1 failed/);
    expect(pipeline.calls).toHaveLength(2);

    // A changed photo or changed options rebuild; the other photo stays skipped.
    writeFileSync(join(photos, "b.png"), await sharp(FIXTURE).flop().png().toBuffer());
    const third = deps(pipeline);
    await exitCodeOf(batchCommand([`${photos}/*.png`], { out, preset: "draft" }, third.d));
    expect(third.out()).toMatch(/1 built, 1 skipped, 0 failed/);
    const fourth = deps(pipeline);
    expect(await exitCodeOf(batchCommand([`${photos}/*.png`], { out, preset: "standard", json: true }, fourth.d))).toBe(0);
    expect(JSON.parse(fourth.out()).photos.map((p: { status: string }) => p.status)).toEqual(["done", "done"]);
    // A damaged output is noticed and rebuilt.
    writeFileSync(join(out, "a", "report.json"), "{}");
    const fifth = deps(pipeline);
    await exitCodeOf(batchCommand([`${photos}/*.png`], { out, preset: "standard" }, fifth.d));
    expect(fifth.out()).toMatch(/1 built, 1 skipped/);
    expect(JSON.parse(readFileSync(join(out, "a", "report.json"), "utf8")).options.preset).toBe("standard");
  });

  it("--jobs 2 runs photos in parallel worker processes", async () => {
    const out = join(root, "parallel-out");
    const io = deps(createReconstructDouble(), { stageMs: 5 });
    const outcomes = await batchCommand([`${photos}/*.png`], { out, jobs: "2" }, io.d);
    expect(outcomes.map((o) => o.status)).toEqual(["done", "done"]);
    expect(readFileSync(join(out, "a", "maps", "photo.png")).equals(await sharp(ASTRONAUT).png({ compressionLevel: 3, adaptiveFiltering: false }).toBuffer())).toBe(true);
  });
});
