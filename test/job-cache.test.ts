import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cachedJob, jobKey, loadJob, makeJobForOthers, storeJob } from "./support/job-cache.ts";

describe("the shared job cache of the test suites", () => {
  const photo = randomBytes(64); // a key no real job has
  const files = [
    { name: "head.glb", bytes: new Uint8Array([1, 2, 3]), mediaType: "model/gltf-binary" },
    { name: "maps/albedo_diffuse.png", bytes: new Uint8Array([4, 5]), mediaType: "image/png" },
  ];

  it("keys by photo and options, reconstruct's defaults filled in", async () => {
    const key = await jobKey(photo, { preset: "draft" });
    expect(await jobKey(photo, { preset: "draft", face: 0, formats: ["maps", "glb", "babylon"] })).toBe(key);
    expect(await jobKey(photo, { preset: "standard" })).not.toBe(key);
    expect(await jobKey(photo, { preset: "draft", face: 1 })).not.toBe(key);
    expect(await jobKey(photo, { preset: "draft", formats: ["glb"] })).not.toBe(key);
    expect(await jobKey(randomBytes(64), { preset: "draft" })).not.toBe(key);
  });

  it("gives back the stored files byte for byte, and makes a job only when none is stored", async () => {
    expect(await loadJob(photo, { preset: "draft" })).toBeNull();
    await storeJob(photo, { preset: "draft" }, files);
    expect(await loadJob(photo, { preset: "draft", face: 0 })).toEqual(files);
    let made = 0;
    const again = await cachedJob(photo, { preset: "draft" }, async () => (made++, files));
    expect(again).toMatchObject({ cached: true });
    expect(made).toBe(0);
    const other = await cachedJob(photo, { preset: "high" }, async () => (made++, files.slice(0, 1)));
    expect(other).toEqual({ files: files.slice(0, 1), cached: false });
    expect(made).toBe(1);
  });

  it("waits for a process that is making the same job instead of making it a second time", async () => {
    const other = randomBytes(64);
    let started!: () => void, finish!: () => void;
    const makerStarted = new Promise<void>((r) => (started = r)), gate = new Promise<void>((r) => (finish = r));
    // The maker marks the job (this process's pid: alive) before it calls make.
    const making = makeJobForOthers(other, { preset: "draft" }, async () => (started(), await gate, files));
    await makerStarted;
    let made = 0;
    const waiting = cachedJob(other, { preset: "draft" }, async () => (made++, files.slice(0, 1)));
    setTimeout(finish, 1500);
    expect(await waiting).toEqual({ files, cached: true });
    expect(made).toBe(0);
    await making;
  });

  it("makes the job itself when the maker failed (its mark is gone)", async () => {
    const other = randomBytes(64);
    await expect(makeJobForOthers(other, { preset: "draft" }, async () => { throw new Error("no face"); })).rejects.toThrow(/no face/);
    let made = 0;
    expect(await cachedJob(other, { preset: "draft" }, async () => (made++, files))).toEqual({ files, cached: false });
    expect(made).toBe(1);
  });
});
