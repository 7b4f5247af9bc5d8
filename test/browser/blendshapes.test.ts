/**
 * The expressions scene in Chromium on the suite's real job (head.babylon with morph targets):
 * the head carries ARKit's 52 blendshapes by name, and each one, driven to 1, changes the picture
 * where its name says: eyes and brows above the nose tip, mouth, jaw and tongue below it, Left on
 * the subject's left (the viewer's right in this front view), unsided shapes near the midline;
 * shapes that move the jaw or mouth sideways point that way on screen; jawOpen
 * reaches below the neutral mouth to the chin, eyeBlinkLeft changes the subject's left eye only. Screenshots of a few shapes are kept under test-artifacts/browser/.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { ARKIT_BLENDSHAPES } from "../../src/geometry/blendshape-names.ts";
import { ARTIFACTS, type BrowserSession, CHROMIUM, startBrowserSession } from "./harness.ts";

const hasChromium = existsSync(CHROMIUM) || process.env.CI === "true";

/** Luminance (8-bit) per pixel of a PNG, with its size. */
async function luminance(png: Buffer): Promise<{ y: Float32Array; w: number; h: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const y = new Float32Array(info.width * info.height);
  for (let i = 0; i < y.length; i++) y[i] = 0.2126 * data[3 * i] + 0.7152 * data[3 * i + 1] + 0.0722 * data[3 * i + 2];
  return { y, w: info.width, h: info.height };
}

/** Where a shot differs from the neutral one, as fractions of the neutral head's bounding box. */
function changeOf(neutral: { y: Float32Array; w: number; h: number }, shot: { y: Float32Array }) {
  const bg = neutral.y[0];
  let x0 = Infinity, x1 = -1, y0 = Infinity, y1 = -1;
  for (let i = 0; i < neutral.y.length; i++) {
    if (Math.abs(neutral.y[i] - bg) <= 4) continue;
    const x = i % neutral.w, y = Math.floor(i / neutral.w);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  let n = 0, sx = 0, sy = 0, lowest = -Infinity, dl = 0;
  for (let i = 0; i < neutral.y.length; i++) {
    const d = shot.y[i] - neutral.y[i];
    if (Math.abs(d) <= 6) continue;
    const x = i % neutral.w, y = Math.floor(i / neutral.w);
    n++; sx += x; sy += y; dl += d;
    lowest = Math.max(lowest, y);
  }
  const fx = (v: number) => (v - x0) / (x1 - x0), fy = (v: number) => (v - y0) / (y1 - y0);
  return { pixels: n, x: fx(sx / Math.max(n, 1)), y: fy(sy / Math.max(n, 1)), lowest: fy(lowest), meanChange: dl / Math.max(n, 1) };
}

/** Vertical bands (fractions of the head's box, crown to neck base): the template's eyes sit at ≈ 0.35, nose tip 0.47, mouth 0.56, chin 0.72. */
function expectedRegion(name: string): { y: [number, number]; side: -1 | 0 | 1 } {
  const side = name.endsWith("Left") ? 1 : name.endsWith("Right") ? -1 : 0;
  if (name.startsWith("eye") || name.startsWith("brow")) return { y: [0.15, 0.45], side };
  if (name.startsWith("cheek")) return { y: [0.35, 0.68], side };
  if (name.startsWith("nose")) return { y: [0.3, 0.55], side };
  return { y: [0.45, 0.8], side }; // mouth, jaw, tongue
}

describe.skipIf(!hasChromium)("ARKit blendshapes in the expressions scene", () => {
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    session = await startBrowserSession(inject("jobDir"));
    ({ page } = await session.open("/scenes/expressions.html?job=/job/&spin=0&render=manual", { width: 900, height: 700 }));
  });

  afterAll(async () => {
    await session?.close();
  });

  /** The canvas' drawing buffer (preserved; setBlendshapes renders a frame), as PNG: much faster than a page screenshot on a software GPU. */
  const shot = async () => {
    const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
    return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
  };

  /** Mean displacement of a shape's target on the head mesh, in world space, along the camera's right (metres). */
  const screenDirection = (name: string) => page.evaluate((n) => {
    const scene = window.porelight.scene!;
    const mesh = scene.meshes.find((m) => m.name === "head")!;
    const manager = mesh.morphTargetManager!;
    const target = Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i)).find((t) => t.name === n)!;
    const base = mesh.getVerticesData("position")!, moved = target.getPositions()!;
    const M = mesh.getWorldMatrix().m, C = scene.activeCamera!.getWorldMatrix().m;
    let sum = 0;
    for (let v = 0; v < base.length / 3; v++) {
      const d = [0, 1, 2].map((k) => moved[3 * v + k] - base[3 * v + k]);
      const world = [0, 1, 2].map((j) => d[0] * M[j] + d[1] * M[4 + j] + d[2] * M[8 + j]);
      sum += world[0] * C[0] + world[1] * C[1] + world[2] * C[2];
    }
    return sum / (base.length / 3);
  }, name);

  it("carries all 52 names and moves the region each one names", async () => {
    const names = await page.evaluate(() => window.porelight.blendshapes ?? []);
    expect(names).toEqual([...ARKIT_BLENDSHAPES]);
    // Geometry is what is checked: the skin's scattering pre-pass only costs time here.
    await page.evaluate(async () => { await window.porelight.setScattering!(false); await window.porelight.renderFrames!(2); });
    const neutralPng = await shot();
    const neutral = await luminance(neutralPng);
    await writeFile(path.join(ARTIFACTS, "blendshape-neutral.png"), neutralPng);
    const failures: string[] = [];
    let previous: string | null = null;
    for (const name of ARKIT_BLENDSHAPES) {
      // One frame per shape: the previous shape back to 0 and this one to 1 at once.
      const weights: Record<string, number> = previous ? { [previous]: 0, [name]: 1 } : { [name]: 1 };
      await page.evaluate(async (w) => { await window.porelight.setBlendshapes!(w); }, weights);
      previous = name;
      const png = await shot();
      if (["jawOpen", "eyeBlinkLeft", "mouthSmileLeft", "tongueOut", "browInnerUp"].includes(name)) await writeFile(path.join(ARTIFACTS, `blendshape-${name}.png`), png);
      const c = changeOf(neutral, await luminance(png));
      const want = expectedRegion(name);
      // Shapes that move the whole jaw or mouth sideways change pixels on both sides alike: judged
      // by the way their displacement points on screen (mean world displacement · camera right).
      const sideways = /^(jaw|mouth)(Left|Right)$/.test(name);
      const sideOk = want.side === 0 ? Math.abs(c.x - 0.5) < 0.1 : sideways ? (await screenDirection(name)) * want.side > 0 : want.side > 0 ? c.x > 0.52 : c.x < 0.48;
      const ok = c.pixels > 20 && c.y >= want.y[0] && c.y <= want.y[1] && sideOk;
      if (!ok) failures.push(`${name}: ${c.pixels} px changed at (${c.x.toFixed(2)}, ${c.y.toFixed(2)}), expected y in [${want.y}] side ${want.side}`);
      if (name === "jawOpen" && !(c.lowest > 0.66)) failures.push(`jawOpen: the change stops at ${c.lowest.toFixed(2)}, above the chin`);
      if (name === "eyeBlinkLeft" && !(c.y < 0.42 && c.x > 0.55)) failures.push(`eyeBlinkLeft: the change is not over the subject's left eye`);
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
