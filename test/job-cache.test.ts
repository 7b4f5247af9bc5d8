import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cachedJob, jobKey, loadJob, storeJob } from "./support/job-cache.ts";

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
});
