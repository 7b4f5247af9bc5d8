/**
 * Renders GLBs of one head in the sample scenes' turntable (Chromium, SwiftShader, `?glb=`) from
 * five views and returns each one's PSNR against a reference GLB, view by view. Screenshots are
 * written next to the GLBs (`<name>.view<k>.png`) for looking at.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { ensureScenesBuilt, launchChromium, prepareThreeViewer, serve } from "../test/browser/harness.ts";

/** Camera azimuths (rad) about the head: front, ¾ left, left profile, ¾ right, back (Babylon's ArcRotateCamera alpha). */
export const VIEWS = [Math.PI / 2, Math.PI / 4, 0, (3 * Math.PI) / 4, -Math.PI / 2];
/** The same five views for the three.js viewer (azimuth from +Z, the face's direction, toward +X, the head's left). */
export const THREE_VIEWS = [0, Math.PI / 4, Math.PI / 2, -Math.PI / 4, Math.PI];

/** PSNR (RGB, 8-bit) over the head's pixels: those that differ from the background (corner colour) in either image. */
export function psnr(a: Buffer, b: Buffer): number {
  const bg = [a[0], a[1], a[2]];
  const isBg = (x: Buffer, i: number) => Math.abs(x[i] - bg[0]) + Math.abs(x[i + 1] - bg[1]) + Math.abs(x[i + 2] - bg[2]) < 3;
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (isBg(a, i) && isBg(b, i)) continue;
    for (let c = 0; c < 3; c++) se += (a[i + c] - b[i + c]) ** 2;
    n += 3;
  }
  const mse = se / Math.max(1, n);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

export async function renderViews(jobDir: string, outDir: string, glbs: { name: string; file: string }[], reference: string): Promise<Record<string, number[]>> {
  await ensureScenesBuilt();
  const served = path.join(outDir, "served");
  await mkdir(served, { recursive: true });
  for (const g of glbs) await copyFile(g.file, path.join(served, `${g.name}.glb`));
  void jobDir;
  const { server, base } = await serve(served);
  const browser = await launchChromium();
  const shots: Record<string, Buffer[]> = {};
  try {
    for (const g of glbs) {
      const page = await browser.newPage({ viewport: { width: 640, height: 640 } });
      const errors: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${base}/scenes/turntable.html?job=/job/&glb=${g.name}.glb&spin=0&render=manual`);
      await page.waitForFunction(() => window.porelight !== undefined, undefined, { timeout: 300_000 });
      await page.evaluate(() => window.porelight.ready);
      if (errors.length) throw new Error(`${g.name}: console errors: ${errors.join("; ")}`);
      shots[g.name] = [];
      for (const [k, alpha] of VIEWS.entries()) {
        const level = await page.evaluate(async (a) => {
          const scene = window.porelight.scene!;
          const camera = scene.activeCamera as unknown as { alpha: number };
          camera.alpha = a;
          await window.porelight.renderFrames!(3);
          const skin = scene.getMeshByName("skin") as unknown as { getLOD(c: unknown): { name: string } | null } | null;
          return skin?.getLOD(scene.activeCamera)?.name ?? "none";
        }, alpha);
        if (k === 0) console.log(`${g.name}: skin level drawn from the front: ${level}`);
        const png = await page.locator("canvas#view").screenshot();
        await sharp(png).toFile(path.join(outDir, `${g.name}.view${k}.png`));
        shots[g.name].push((await sharp(png).removeAlpha().raw().toBuffer()));
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
  const out: Record<string, number[]> = {};
  for (const g of glbs) out[g.name] = shots[g.name].map((s, k) => psnr(s, shots[reference][k]));
  return out;
}

/**
 * The same in three.js (test/browser/three-viewer.ts: GLTFLoader with meshopt, WebP and KTX2Loader,
 * a key and a hemisphere light): PSNR per view against the reference GLB; screenshots
 * `three-<name>.view<k>.png`.
 */
export async function renderViewsThree(outDir: string, glbs: { name: string; file: string }[], reference: string): Promise<Record<string, number[]>> {
  const served = path.join(outDir, "served-three");
  await mkdir(served, { recursive: true });
  await prepareThreeViewer(served, 640);
  for (const g of glbs) await copyFile(g.file, path.join(served, `${g.name}.glb`));
  const { server, base } = await serve(served);
  const browser = await launchChromium();
  const shots: Record<string, Buffer[]> = {};
  try {
    for (const g of glbs) {
      const page = await browser.newPage({ viewport: { width: 640, height: 640 } });
      const errors: string[] = [];
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${base}/job/index.html`);
      await page.waitForFunction(() => window.threeViewer !== undefined);
      const report = await page.evaluate((url) => window.threeViewer.load(url), `${g.name}.glb`);
      console.log(`${g.name}: three.js texture formats ${report.textureFormats.join(", ")}`);
      shots[g.name] = [];
      for (const [k, azimuth] of THREE_VIEWS.entries()) {
        await page.evaluate((a) => window.threeViewer.render(a), azimuth);
        const png = await page.locator("#view").screenshot();
        await sharp(png).toFile(path.join(outDir, `three-${g.name}.view${k}.png`));
        shots[g.name].push(await sharp(png).removeAlpha().raw().toBuffer());
      }
      if (errors.length) throw new Error(`${g.name} in three.js: console errors: ${errors.join("; ")}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
  const out: Record<string, number[]> = {};
  for (const g of glbs) out[g.name] = shots[g.name].map((s, k) => psnr(s, shots[reference][k]));
  return out;
}
