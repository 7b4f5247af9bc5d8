/**
 * head.glb of every delivery target in three.js (issue 17: "loads without errors in three.js"):
 * three's GLTFLoader with its own meshopt decoder, WebP support and KTX2Loader (the Basis transcoder
 * from the `three` package, never a CDN), in Debian's Chromium. Each
 * file loads with no error, has the skin and both eyes as separate meshes (the eyes morph-free, any
 * morph targets a part declares all loaded), and renders
 * a head-shaped frame (the head covers a plausible share of the frame, taller than wide, in its
 * middle). The GLBs are written from the suite's job with writeHeadGlb; renders go to
 * test-artifacts/browser/three-*.png.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { Browser } from "playwright-core";
import type { Server } from "node:http";
import { ARTIFACTS, CHROMIUM, launchChromium, prepareThreeViewer, serve } from "./harness.ts";
import { loadJob } from "../../bench/export.ts";
import { writeHeadGlb } from "../../materials/head-glb.ts";
import { DELIVERY_TARGETS } from "../../materials/gltf-delivery.ts";
import { validateSkinParameters } from "../../materials/skin-parameters.ts";
import type { ThreeLoadReport } from "./three-viewer.ts";

const hasChromium = existsSync(CHROMIUM);

/** The head's bounding box in a frame: pixels unlike the clear colour (the corner). */
async function headBox(png: Buffer): Promise<{ coverage: number; width: number; height: number; cx: number; cy: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0, x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) {
    const i = (y * info.width + x) * 3;
    if (Math.abs(data[i] - data[0]) + Math.abs(data[i + 1] - data[1]) + Math.abs(data[i + 2] - data[2]) < 6) continue;
    n++; x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { coverage: n / (info.width * info.height), width: (x1 - x0 + 1) / info.width, height: (y1 - y0 + 1) / info.height, cx: (x0 + x1) / 2 / info.width, cy: (y0 + y1) / 2 / info.height };
}

describe.skipIf(!hasChromium)("head.glb in three.js, every delivery target", () => {
  let dir: string;
  let browser: Browser;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "porelight-three-"));
    await prepareThreeViewer(dir);
    const job = await loadJob(inject("jobDir"));
    const parameters = validateSkinParameters(job.parameters);
    for (const target of DELIVERY_TARGETS) await writeFile(path.join(dir, `head.${target}.glb`), await writeHeadGlb(job.geometry, job.maps, parameters, target));
    ({ server, base } = await serve(dir));
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const target of DELIVERY_TARGETS) {
    it(`${target}: loads without errors, every part its own mesh, eyes morph-free, renders a head`, async () => {
      const page = await browser.newPage({ viewport: { width: 480, height: 480 } });
      const errors: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${base}/job/index.html`);
      await page.waitForFunction(() => window.threeViewer !== undefined);
      const report: ThreeLoadReport = await page.evaluate((url) => window.threeViewer.load(url), `head.${target}.glb`);
      const frames: Record<string, Buffer> = {};
      for (const [view, azimuth] of [["front", 0], ["back", Math.PI]] as const) {
        await page.evaluate((a) => window.threeViewer.render(a), azimuth);
        frames[view] = await page.locator("#view").screenshot();
        await mkdir(ARTIFACTS, { recursive: true });
        await writeFile(path.join(ARTIFACTS, `three-${target}-${view}.png`), frames[view]);
      }
      await page.close();

      // Every part its own mesh (the mouth's parts may join these); the eyes never morph, and any
      // part that does has all its declared targets in three.js.
      expect(report.parts).toEqual(expect.arrayContaining(["skin", "eyeLeft", "eyeRight"]));
      expect([...report.meshes].sort()).toEqual([...report.parts].sort());
      expect([report.morphTargets.eyeLeft, report.morphTargets.eyeRight]).toEqual([0, 0]);
      for (const name of report.meshes) expect(report.morphTargets[name]).toBe(report.declaredMorphTargets[name] ?? 0);
      // The mouth parts' occlusion follows the opening: a colour delta on each of their targets, the skin none.
      for (const name of ["mouth", "teeth", "tongue"]) expect(report.morphColours[name], name).toBe(report.declaredMorphTargets[name]);
      expect(report.morphColours.skin).toBe(0);
      const textures = { source: [], web: ["EXT_texture_webp"], desktop: ["KHR_texture_basisu"] }[target];
      if (target !== "source") expect(report.extensionsUsed).toEqual(expect.arrayContaining(["EXT_meshopt_compression", "MSFT_lod", ...textures]));
      // KTX2 reaches the GPU transcoded (a compressed format where the GPU has one, else RGBA), never failed or empty.
      expect(report.textureFormats.length).toBeGreaterThan(0);
      if (target === "desktop") console.log(`three.js desktop texture formats: ${report.textureFormats.join(", ")}`);
      for (const frame of Object.values(frames)) {
        const box = await headBox(frame);
        // The head's bounding sphere fits the frame: a tenth to a half of it, taller than wide, centred.
        expect(box.coverage).toBeGreaterThan(0.08);
        expect(box.coverage).toBeLessThan(0.5);
        expect(box.height).toBeGreaterThan(box.width);
        expect(Math.abs(box.cx - 0.5)).toBeLessThan(0.1);
        expect(Math.abs(box.cy - 0.5)).toBeLessThan(0.15);
      }
      expect(errors).toEqual([]);
    }, 300_000);
  }
});
