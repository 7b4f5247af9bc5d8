/**
 * Issue 17 in Chromium, on the suite's real job: the default (desktop) head.glb loads in the
 * turntable (`?glb=`) with KTX2 (KHR_texture_basisu through materials/ktx2-decoder-babylon.ts and
 * @babylonjs/core's Basis transcoder, served locally), meshopt (decoder served locally), the N_D plugin and the skin's
 * LOD levels; the SSS pre-pass is multisampled (smoother silhouette than without); and the back of
 * the head with the normal maps on against off, for the mirrored-atlas seam. Renders are kept in
 * test-artifacts/browser/ (delivery-*.png).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { ARTIFACTS, type BrowserSession, CHROMIUM, pixelStats, SCREENSHOT_TIMEOUT_MS, startBrowserSession } from "./harness.ts";

const hasChromium = existsSync(CHROMIUM);

/** Share of frame pixels that are neither background nor like their 4 neighbours: the silhouette's partial-coverage steps. */
async function edgeBlend(png: Buffer): Promise<{ partial: number; edge: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const w = info.width, h = info.height;
  const bg = [data[0], data[1], data[2]];
  const isBg = (i: number) => Math.abs(data[i * 3] - bg[0]) + Math.abs(data[i * 3 + 1] - bg[1]) + Math.abs(data[i * 3 + 2] - bg[2]) < 6;
  let edge = 0, partial = 0;
  for (let y = 1; y < h - 1; y++) for (let x = 1; x < w - 1; x++) {
    const i = y * w + x;
    const n = [i - 1, i + 1, i - w, i + w];
    const mixed = n.some(isBg) !== isBg(i) || (!isBg(i) && n.some(isBg));
    if (!mixed || isBg(i)) continue;
    edge++;
    // A foreground pixel next to the background: blended when it sits at most half way from the
    // background to its inner neighbour (the silhouette covers half of it or less). Without MSAA a
    // foreground pixel is wholly covered and only the rim's shading puts it there.
    const inner = n.filter((j) => !isBg(j));
    if (!inner.length) continue;
    const lum = (k: number) => data[k * 3] + data[k * 3 + 1] + data[k * 3 + 2];
    const a = lum(i), b = bg[0] + bg[1] + bg[2], c = Math.max(...inner.map(lum));
    const t = (a - b) / (c - b);
    if (Math.abs(c - b) > 30 && t > 0.05 && t <= 0.5) partial++;
  }
  return { partial: partial / Math.max(1, edge), edge };
}

describe.skipIf(!hasChromium)("delivery in Chromium (issue 17)", () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await startBrowserSession(inject("jobDir"));
  });

  afterAll(async () => {
    await session?.close();
  });

  /**
   * The turntable with the desktop head.glb and with head.babylon, each opened once for this
   * file's tests (a page load is ≈ 9 s in SwiftShader). A test that changes a page's state (MSAA,
   * the normal maps) sets it back before it ends.
   */
  let glbPage: Promise<{ page: Page; errors: string[] }> | undefined;
  let babylonPage: Promise<{ page: Page; errors: string[] }> | undefined;
  const openGlb = () => (glbPage ??= open("&glb=head.glb"));
  const openBabylon = () => (babylonPage ??= open(""));

  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await session.open(`/scenes/turntable.html?job=/job/&spin=0&render=manual${query}`);
    return { page, errors };
  }

  async function shot(page: Page, name: string, alpha?: number): Promise<Buffer> {
    await page.evaluate(async (a) => {
      if (a !== undefined) (window.porelight.scene!.activeCamera as unknown as { alpha: number }).alpha = a;
      await window.porelight.renderFrames!(2);
    }, alpha);
    const png = await page.locator("#view").screenshot({ timeout: SCREENSHOT_TIMEOUT_MS });
    await writeFile(path.join(ARTIFACTS, `delivery-${name}.png`), png);
    return png;
  }

  it("head.glb (desktop: KTX2, meshopt, LODs) loads with the N_D plugin, SSS and LOD levels, and renders skin", async () => {
    const { page, errors } = await openGlb();
    const state = await page.evaluate(() => {
      const scene = window.porelight.scene!;
      const skin = scene.getMeshByName("skin") as unknown as { getLODLevels(): { mesh: { getTotalIndices(): number } | null }[]; getTotalIndices(): number; material: { pluginManager?: { getPlugin(n: string): { diffuseNormalTexture: unknown } | null }; subSurface: { isScatteringEnabled: boolean } } };
      return {
        lods: skin.getLODLevels().map((l) => l.mesh?.getTotalIndices() ?? 0),
        indices: skin.getTotalIndices(),
        nd: !!skin.material.pluginManager?.getPlugin("SkinDiffuseNormal")?.diffuseNormalTexture,
        scattering: skin.material.subSurface.isScatteringEnabled,
        samples: scene.prePassRenderer?.samples ?? 0,
        // Every skin texture came through the KTX2 path (Babylon marks such textures ".ktx2").
        ktx2: scene.textures.filter((t) => (t as unknown as { _texture?: { _extension?: string } })._texture?._extension === ".ktx2").length,
        // GL internal formats of the KTX2 textures (0x8e8c BC7, 0x93b0 ASTC; 5 = Babylon's RGBA).
        formats: [...new Set(scene.textures.map((t) => (t as unknown as { _texture?: { _extension?: string; format: number } })._texture).filter((t) => t?._extension === ".ktx2").map((t) => t!.format.toString(16)))],
      };
    });
    console.log(`desktop GLB in Babylon: ${state.ktx2} KTX2 textures, formats ${state.formats.join(", ")}`);
    expect(state.ktx2).toBeGreaterThanOrEqual(4); // A_D, A_S, N_S, N_D (+ thin mask, eyes)
    expect(state.nd).toBe(true);
    expect(state.scattering).toBe(true);
    expect(state.lods.length).toBe(2);
    for (const n of state.lods) expect(n).toBeLessThan(state.indices);
    const stats = await pixelStats(await shot(page, "glb-front"));
    expect(stats.coverage).toBeGreaterThan(0.05);
    expect(stats.mean[0]).toBeGreaterThan(stats.mean[2]);
    expect(stats.magenta).toBeLessThan(0.005);
    expect(errors).toEqual([]);
  }, 600_000);

  it("the SSS pre-pass is multisampled: the silhouette has blended steps, not hard ones", async () => {
    const { page, errors } = await openBabylon();
    const samples = await page.evaluate(() => window.porelight.scene!.prePassRenderer!.samples);
    expect(samples).toBeGreaterThan(1);
    const on = await edgeBlend(await shot(page, "msaa-on", Math.PI / 4));
    await page.evaluate(() => window.porelight.setMsaa!(1));
    const off = await edgeBlend(await shot(page, "msaa-off", Math.PI / 4));
    await page.evaluate((n) => window.porelight.setMsaa!(n), samples); // as opened, for the next test
    await writeFile(path.join(ARTIFACTS, "delivery-msaa.json"), JSON.stringify({ samples, on, off }) + "\n");
    expect(on.edge).toBeGreaterThan(100);
    expect(on.partial).toBeGreaterThan(off.partial * 1.3); // measured 0.40 vs 0.24 on the CI's shots (rim shading and the SSS put some wholly covered pixels there too)
    expect(errors).toEqual([]);
  }, 600_000);

  /** Mean |on − off| per channel (0..255) over the head's pixels, and both renders, of the back of the head with the normal maps on and off. */
  async function backNormalsDifference(opened: Promise<{ page: Page; errors: string[] }>, name: string): Promise<{ meanAbs: number; errors: string[]; on: Buffer }> {
    const { page, errors } = await opened;
    const was = await page.evaluate(() => {
      const k = window.porelight.rig!.key, alpha = (window.porelight.scene!.activeCamera as unknown as { alpha: number }).alpha;
      const direction = k.direction.asArray();
      k.direction.set(0.3, -0.4, 1);
      k.direction.normalize();
      return { direction, alpha };
    });
    const on = await shot(page, `${name}-on`, -Math.PI / 2);
    await page.evaluate(() => window.porelight.setNormalMaps!(false));
    const off = await shot(page, `${name}-off`, -Math.PI / 2);
    // As opened, for the other tests on this page (the data textures' formats read the normal maps).
    await page.evaluate(async ({ direction, alpha }) => {
      window.porelight.rig!.key.direction.set(direction[0], direction[1], direction[2]);
      (window.porelight.scene!.activeCamera as unknown as { alpha: number }).alpha = alpha;
      await window.porelight.setNormalMaps!(true);
    }, was);
    const a = await sharp(on).removeAlpha().raw().toBuffer();
    const b = await sharp(off).removeAlpha().raw().toBuffer();
    let sum = 0, n = 0;
    for (let i = 0; i < a.length; i += 3) {
      if (Math.abs(a[i] - a[0]) + Math.abs(a[i + 1] - a[1]) + Math.abs(a[i + 2] - a[2]) < 6) continue; // background (the corner's colour)
      n++;
      for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] - b[i + c]);
    }
    return { meanAbs: sum / Math.max(1, n * 3), errors, on };
  }

  it("back of the head, normal maps on and off: head.babylon and head.glb (desktop) both render it alike", async () => {
    // The back's N_S and N_D are flat (the photo does not see it), so on and off must agree up to
    // filtering; the seam's streaks or a map read with the wrong encoding break that.
    const babylon = await backNormalsDifference(openBabylon(), "back-normals");
    const glb = await backNormalsDifference(openGlb(), "glb-back-normals");
    await writeFile(path.join(ARTIFACTS, "delivery-back-normals.json"), JSON.stringify({ babylon: babylon.meanAbs, glb: glb.meanAbs }) + "\n");
    expect((await pixelStats(babylon.on)).coverage).toBeGreaterThan(0.05);
    expect((await pixelStats(glb.on)).coverage).toBeGreaterThan(0.05);
    // Measured on the standard sample job: head.babylon 0.20, head.glb 0.21 (0.22 and 0.19 on the
    // draft job); before the GLB's N_D got a linear GPU format, 25.4 (the back 20/255 brighter).
    // The bound is 5× head.babylon's own difference: room for WebP and quantised tangents, far
    // below any visible streak.
    expect(babylon.meanAbs).toBeLessThan(1);
    expect(glb.meanAbs).toBeLessThan(1);
    expect([...babylon.errors, ...glb.errors]).toEqual([]);
  }, 900_000);

  it("head.glb's data textures (N_D, the clear coat's A_S) have linear GPU formats, as head.babylon's", async () => {
    const { page, errors } = await openGlb();
    const srgb = await page.evaluate(() => {
      const skin = window.porelight.scene!.materials.find((m) => m.name === "skin") as unknown as {
        bumpTexture: { _texture: { _useSRGBBuffer: boolean } };
        clearCoat: { texture: { _texture: { _useSRGBBuffer: boolean } } };
        albedoTexture: { _texture: { _useSRGBBuffer: boolean } };
        pluginManager: { getPlugin(n: string): { diffuseNormalTexture: { _texture: { _useSRGBBuffer: boolean } } } };
      };
      return {
        nd: skin.pluginManager.getPlugin("SkinDiffuseNormal").diffuseNormalTexture._texture._useSRGBBuffer,
        normal: skin.bumpTexture._texture._useSRGBBuffer,
        coat: skin.clearCoat.texture._texture._useSRGBBuffer,
        albedo: skin.albedoTexture._texture._useSRGBBuffer,
      };
    });
    expect(srgb).toEqual({ nd: false, normal: false, coat: false, albedo: true });
    expect(errors).toEqual([]);
  }, 600_000);
});
