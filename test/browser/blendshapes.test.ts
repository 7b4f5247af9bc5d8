/**
 * The expressions scene in Chromium on the suite's real job (head.babylon with morph targets):
 * the head carries ARKit's 52 blendshapes by name, and each one, driven to 1, changes the picture
 * where its name says: eyes and brows above the nose tip, mouth, jaw and tongue below it, Left on
 * the subject's left (the viewer's right in this front view), unsided shapes' displacement
 * centred on the midline;
 * shapes that move the jaw or mouth sideways point that way on screen; jawOpen
 * reaches below the neutral mouth to the chin, eyeBlinkLeft changes the subject's left eye only. Screenshots of a few shapes are kept under test-artifacts/browser/.
 * The smile's wrinkle map on the same page: a synthetic fold patch on the left cheek comes back
 * where it lies when mouthSmileLeft is 1, not with mouthSmileRight, and at weight 0 the head
 * renders as without the map.
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

/** Radius of the synthetic fold patch in UV (the atlas is 1 × 1). */
const WRINKLE_PATCH_RADIUS = 0.045;

/** Raw RGB pixels of a PNG. */
async function rgb(png: Buffer): Promise<{ data: Buffer; w: number; h: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, w: info.width, h: info.height };
}

/**
 * A wrinkle map that is flat (0, 0, 1) except a disk of radius WRINKLE_PATCH_RADIUS around (u, v):
 * strong folds there, tangent-space slopes ±0.8 along u with a period of a third of the radius.
 * Encoded like the pipeline's (n * 0.5 + 0.5), 8-bit RGB, UV origin top-left.
 */
async function foldPatchPng(u: number, v: number, size = 512): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  const period = WRINKLE_PATCH_RADIUS / 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const du = (x + 0.5) / size - u, dv = (y + 0.5) / size - v;
      const slope = Math.hypot(du, dv) <= WRINKLE_PATCH_RADIUS ? 0.8 * Math.sin((2 * Math.PI * du) / period) : 0;
      const n = [slope, 0, 1].map((c) => c / Math.hypot(slope, 1));
      for (let c = 0; c < 3; c++) data[3 * (y * size + x) + c] = Math.round((n[c] * 0.5 + 0.5) * 255);
    }
  }
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

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

  /**
   * Where a shape moves the head across the screen: the mean screen x of its vertices weighted by
   * how far each moves, as a fraction of the head's screen width (0.5 = the midline). Geometry
   * alone: the pixels a shape changes also depend on the texture and the light under it.
   */
  const screenCentre = (name: string) => page.evaluate((n) => {
    const scene = window.porelight.scene!;
    const mesh = scene.meshes.find((m) => m.name === "head")!;
    const manager = mesh.morphTargetManager!;
    const target = Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i)).find((t) => t.name === n)!;
    const base = mesh.getVerticesData("position")!, moved = target.getPositions()!;
    const W = mesh.getWorldMatrix().m, P = scene.getTransformMatrix().m;
    let lo = Infinity, hi = -Infinity, weight = 0, sum = 0;
    for (let v = 0; v < base.length / 3; v++) {
      const world = [0, 1, 2].map((j) => base[3 * v] * W[j] + base[3 * v + 1] * W[4 + j] + base[3 * v + 2] * W[8 + j] + W[12 + j]);
      const x = (world[0] * P[0] + world[1] * P[4] + world[2] * P[8] + P[12]) / (world[0] * P[3] + world[1] * P[7] + world[2] * P[11] + P[15]);
      const d = Math.hypot(moved[3 * v] - base[3 * v], moved[3 * v + 1] - base[3 * v + 1], moved[3 * v + 2] - base[3 * v + 2]);
      lo = Math.min(lo, x); hi = Math.max(hi, x); weight += d; sum += d * x;
    }
    return (sum / weight - lo) / (hi - lo);
  }, name);

  it("a wrinkle map bound to the smile: mouthSmileLeft brings its folds back where they lie, mouthSmileRight not; weight 0 renders as without the map", async () => {
    const allZero = Object.fromEntries(ARKIT_BLENDSHAPES.map((n) => [n, 0]));
    await page.evaluate(async (zero) => {
      await window.porelight.setScattering!(false);
      await window.porelight.setWrinkleMap!(null);
      await window.porelight.setBlendshapes!(zero);
    }, allZero);
    // The patch: a disk in UV around the skin point seen at the subject's left cheek (the viewer's
    // right, between nose tip and mouth), and its box on screen from the head's vertices inside it.
    const patch = await page.evaluate(async (radius) => {
      const scene = window.porelight.scene!;
      const head = scene.meshes.find((m) => m.name === "head")!;
      const engine = scene.getEngine();
      const w = engine.getRenderWidth(), h = engine.getRenderHeight();
      // Object → clip (Babylon's row-vector matrices) → canvas pixels, y down.
      const m = head.getWorldMatrix().multiply(scene.getTransformMatrix()).m;
      const positions = head.getVerticesData("position")!, uvs = head.getVerticesData("uv")!;
      const project = (i: number) => {
        const [x, y, z] = [positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]];
        const cw = x * m[3] + y * m[7] + z * m[11] + m[15];
        return { x: ((x * m[0] + y * m[4] + z * m[8] + m[12]) / cw * 0.5 + 0.5) * w, y: (0.5 - (x * m[1] + y * m[5] + z * m[9] + m[13]) / cw * 0.5) * h };
      };
      let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
      for (let i = 0; i < positions.length / 3; i++) {
        const s = project(i);
        x0 = Math.min(x0, s.x); x1 = Math.max(x1, s.x); y0 = Math.min(y0, s.y); y1 = Math.max(y1, s.y);
      }
      const hit = scene.pick(x0 + 0.64 * (x1 - x0), y0 + 0.52 * (y1 - y0), (m) => m === head);
      const uv = hit?.getTextureCoordinates();
      if (!uv) throw new Error("no skin under the cheek point");
      let bx0 = Infinity, bx1 = -Infinity, by0 = Infinity, by1 = -Infinity, inside = 0;
      for (let i = 0; i < uvs.length / 2; i++) {
        if (Math.hypot(uvs[2 * i] - uv.x, uvs[2 * i + 1] - uv.y) > radius) continue;
        const s = project(i);
        inside++;
        bx0 = Math.min(bx0, s.x); bx1 = Math.max(bx1, s.x); by0 = Math.min(by0, s.y); by1 = Math.max(by1, s.y);
      }
      return { u: uv.x, v: uv.y, inside, box: [bx0, bx1, by0, by1] };
    }, WRINKLE_PATCH_RADIUS);
    expect(patch.inside).toBeGreaterThan(3);

    const weights = () => page.evaluate(() => window.porelight.wrinkleWeights!());
    const withoutMap = await rgb(await shot());
    await page.evaluate(async () => { await window.porelight.setBlendshapes!({ mouthSmileRight: 1 }); });
    const rightWithoutMap = await rgb(await shot());
    await page.evaluate(async () => { await window.porelight.setBlendshapes!({ mouthSmileRight: 0, mouthSmileLeft: 1 }); });
    const leftWithoutMap = await rgb(await shot());
    const dataUrl = "data:image/png;base64," + (await foldPatchPng(patch.u, patch.v)).toString("base64");
    await page.evaluate(async (url) => { await window.porelight.setWrinkleMap!(url); }, dataUrl);
    expect(await weights()).toEqual({ left: 1, right: 0 });
    const leftPng = await shot();
    await writeFile(path.join(ARTIFACTS, "wrinkle-smile.png"), leftPng);
    const left = await rgb(leftPng);
    await page.evaluate(async () => { await window.porelight.setBlendshapes!({ mouthSmileRight: 1, mouthSmileLeft: 0 }); });
    expect(await weights()).toEqual({ left: 0, right: 1 });
    const right = await rgb(await shot());
    await page.evaluate(async () => { await window.porelight.setBlendshapes!({ mouthSmileRight: 0 }); });
    expect(await weights()).toEqual({ left: 0, right: 0 });
    const neutralWithMap = await rgb(await shot());
    await page.evaluate(async () => { await window.porelight.setWrinkleMap!(null); });

    // Weight 0: the very same pixels as the material without the map.
    expect(neutralWithMap.data.equals(withoutMap.data)).toBe(true);
    // Pixels that differ by more than 6 levels in any channel, and how many lie over the patch's box
    // (a few pixels of margin: the box is from the unsmiled vertices, the smile moves the cheek a little).
    const margin = 8;
    const [bx0, bx1, by0, by1] = patch.box;
    const changes = (a: typeof left, b: typeof left) => {
      let changed = 0, inBox = 0;
      for (let i = 0; i < a.w * a.h; i++) {
        if (Math.max(...[0, 1, 2].map((c) => Math.abs(a.data[3 * i + c] - b.data[3 * i + c]))) <= 6) continue;
        changed++;
        const x = i % a.w, y = Math.floor(i / a.w);
        if (x >= bx0 - margin && x <= bx1 + margin && y >= by0 - margin && y <= by1 + margin) inBox++;
      }
      return { changed, inBox };
    };
    // Smiling on the patch's side: the map changes the picture, and (nearly) only over the patch.
    const own = changes(left, leftWithoutMap);
    expect(own.changed).toBeGreaterThan(50);
    expect(own.inBox / own.changed).toBeGreaterThan(0.95);
    // Smiling on the other side: the patch stays unfolded.
    const other = changes(right, rightWithoutMap);
    await writeFile(path.join(ARTIFACTS, "wrinkle-smile.json"), JSON.stringify({ patch, smileLeft: own, smileRight: other }, null, 2) + "\n");
    expect(other.changed).toBeLessThan(own.changed * 0.05);
  }, 300_000);

  it("morphs the mouth parts' vertex colours (their occlusion) with jawOpen, and only with it", async () => {
    const report = await page.evaluate(() => window.porelight.scene!.meshes.filter((m) => ["mouth", "teeth", "tongue"].includes(m.name)).map((mesh) => {
      const manager = mesh.morphTargetManager!;
      const base = mesh.getVerticesData("color")!;
      const changed = (name: string) => {
        const target = Array.from({ length: manager.numTargets }, (_, i) => manager.getTarget(i)).find((t) => t.name === name)!;
        const colours = target.getColors()!;
        let sum = 0;
        for (let i = 0; i < base.length; i++) if (i % 4 !== 3) sum += Math.abs(colours[i] - base[i]);
        return sum / ((base.length / 4) * 3);
      };
      return { name: mesh.name, supportsColors: manager.supportsColors, jawOpen: changed("jawOpen"), jawLeft: changed("jawLeft") };
    }));
    expect(report.map((r) => r.name).sort()).toEqual(["mouth", "teeth", "tongue"]);
    for (const r of report) {
      expect(r.supportsColors, r.name).toBe(true);
      expect(r.jawOpen, r.name).toBeGreaterThan(0.005);
      expect(r.jawLeft, r.name).toBeLessThan(1e-3);
    }
  });

  it("carries all 52 names and moves the region each one names", async () => {
    const names = await page.evaluate(() => window.porelight.blendshapes ?? []);
    expect(names).toEqual([...ARKIT_BLENDSHAPES]);
    // Geometry is what is checked: the skin's scattering pre-pass only costs time here, and the
    // job's smile wrinkle map (one map for both sides) would move a one-sided smile's change toward the midline.
    await page.evaluate(async () => { await window.porelight.setScattering!(false); await window.porelight.setWrinkleMap!(null); await window.porelight.renderFrames!(2); });
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
      // Unsided shapes: by where their displacement lies on screen, not where the pixels change
      // (a symmetric shape under a light from one side changes more pixels on the lit side).
      const sideways = /^(jaw|mouth)(Left|Right)$/.test(name);
      const centre = want.side === 0 ? await screenCentre(name) : c.x;
      const sideOk = want.side === 0 ? Math.abs(centre - 0.5) < 0.1 : sideways ? (await screenDirection(name)) * want.side > 0 : want.side > 0 ? c.x > 0.52 : c.x < 0.48;
      const ok = c.pixels > 20 && c.y >= want.y[0] && c.y <= want.y[1] && sideOk;
      if (!ok) failures.push(`${name}: ${c.pixels} px changed at (${c.x.toFixed(2)}, ${c.y.toFixed(2)}), displacement centred at x ${centre.toFixed(2)}, expected y in [${want.y}] side ${want.side}`);
      if (name === "jawOpen" && !(c.lowest > 0.66)) failures.push(`jawOpen: the change stops at ${c.lowest.toFixed(2)}, above the chin`);
      if (name === "eyeBlinkLeft" && !(c.y < 0.42 && c.x > 0.55)) failures.push(`eyeBlinkLeft: the change is not over the subject's left eye`);
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
