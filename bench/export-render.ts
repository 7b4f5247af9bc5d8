/**
 * Renders GLBs of one head in the sample scenes' turntable (Chromium, SwiftShader, `?glb=`) from
 * five views and returns each one's PSNR against a reference GLB, view by view. Screenshots are
 * written next to the GLBs (`<name>.view<k>.png`) for looking at.
 */
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
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

interface Viewer {
  /** Opens the GLB `name`.glb (served under /job/) on the page and waits until it is drawn. */
  open(page: Page, base: string, name: string): Promise<void>;
  /** Draws view k (0–4) of VIEWS. */
  view(page: Page, k: number, name: string): Promise<void>;
  /** The canvas to screenshot. */
  canvas: string;
  /** Screenshot file prefix. */
  prefix: string;
}

/** Serves `served` (the GLBs copied in), opens each GLB in Chromium, screenshots the five views; PSNR per view against `reference`. */
async function shootViews(outDir: string, served: string, glbs: { name: string; file: string }[], reference: string, viewer: Viewer): Promise<Record<string, number[]>> {
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
      await viewer.open(page, base, g.name);
      if (errors.length) throw new Error(`${g.name}: console errors: ${errors.join("; ")}`);
      shots[g.name] = [];
      for (let k = 0; k < VIEWS.length; k++) {
        await viewer.view(page, k, g.name);
        const png = await page.locator(viewer.canvas).screenshot();
        await sharp(png).toFile(path.join(outDir, `${viewer.prefix}${g.name}.view${k}.png`));
        shots[g.name].push(await sharp(png).removeAlpha().raw().toBuffer());
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

/** In the sample scenes' turntable (Babylon, `?glb=`); screenshots `<name>.view<k>.png`. */
export async function renderViews(outDir: string, glbs: { name: string; file: string }[], reference: string): Promise<Record<string, number[]>> {
  await ensureScenesBuilt();
  const served = path.join(outDir, "served");
  await mkdir(served, { recursive: true });
  return shootViews(outDir, served, glbs, reference, {
    canvas: "canvas#view",
    prefix: "",
    async open(page, base, name) {
      await page.goto(`${base}/scenes/turntable.html?job=/job/&glb=${name}.glb&spin=0&render=manual`);
      await page.waitForFunction(() => window.porelight !== undefined, undefined, { timeout: 300_000 });
      await page.evaluate(() => window.porelight.ready);
    },
    async view(page, k, name) {
      const level = await page.evaluate(async (a) => {
        const scene = window.porelight.scene!;
        const camera = scene.activeCamera as unknown as { alpha: number };
        camera.alpha = a;
        await window.porelight.renderFrames!(3);
        const skin = scene.getMeshByName("skin") as unknown as { getLOD(c: unknown): { name: string } | null } | null;
        return skin?.getLOD(scene.activeCamera)?.name ?? "none";
      }, VIEWS[k]);
      if (k === 0) console.log(`${name}: skin level drawn from the front: ${level}`);
    },
  });
}

/**
 * The same in three.js (test/browser/three-viewer.ts: GLTFLoader with meshopt, WebP and KTX2Loader,
 * a key and a hemisphere light); screenshots `three-<name>.view<k>.png`.
 */
export async function renderViewsThree(outDir: string, glbs: { name: string; file: string }[], reference: string): Promise<Record<string, number[]>> {
  const served = path.join(outDir, "served-three");
  await mkdir(served, { recursive: true });
  await prepareThreeViewer(served, 640);
  return shootViews(outDir, served, glbs, reference, {
    canvas: "#view",
    prefix: "three-",
    async open(page, base, name) {
      await page.goto(`${base}/job/index.html`);
      await page.waitForFunction(() => window.threeViewer !== undefined);
      const report = await page.evaluate((url) => window.threeViewer.load(url), `${name}.glb`);
      console.log(`${name}: three.js texture formats ${report.textureFormats.join(", ")}`);
    },
    async view(page, k) {
      await page.evaluate((a) => window.threeViewer.render(a), THREE_VIEWS[k]);
    },
  });
}
