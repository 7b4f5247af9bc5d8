/**
 * The expression turntable (issue 16's "done means"): each job's head in the Babylon expressions
 * scene, from the front, at 45° and in profile, neutral and then through its blendshapes — a
 * smile, a blink and an open "ah" — one contact sheet per run (rows: job × view, columns: the
 * expressions) and each frame as its own PNG. To be looked at: does the neutral look neutral, does
 * the smile read, do the lids close over the eyeballs, does "ah" show teeth and tongue, any tearing.
 *
 *   node --import tsx scripts/expression-turntable.ts --out /tmp/turntable astronaut=/tmp/jobs/astronaut hrn=/tmp/jobs/hrn-00521
 *
 * The jobs are `porelight reconstruct … --formats babylon` output folders (head.babylon with its
 * MorphTargetManager, maps/). Needs /usr/bin/chromium (Debian's; nothing is downloaded).
 */
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp, { type OverlayOptions } from "sharp";
import type { ArkitBlendshape } from "../src/geometry/blendshape-names.ts";
import { CHROMIUM, ensureScenesBuilt, startBrowserSession } from "../test/browser/harness.ts";

/** The sequence: label and the weights it sets (every other shape at 0). */
export const TURNTABLE_EXPRESSIONS: [string, Partial<Record<ArkitBlendshape, number>>][] = [
  ["neutral", {}],
  ["smile", { mouthSmileLeft: 1, mouthSmileRight: 1 }],
  ["blink", { eyeBlinkLeft: 1, eyeBlinkRight: 1 }],
  ["ah", { jawOpen: 0.7, mouthFunnel: 0.2 }],
];

/** The views: label and the camera's turn about the head's vertical axis toward the subject's left, degrees. */
export const TURNTABLE_VIEWS: [string, number][] = [["front", 0], ["45°", 45], ["profile", 90]];

/** The page's viewport, pixels (a software-rendered frame takes seconds); the canvas takes what the page's layout gives it. */
const FRAME = 480;
/** A contact sheet tile, pixels (frames are scaled to fit). */
const TILE = { w: 400, h: 300 };
/** Share of the frame's half-width and half-height the head's projected bounds may fill (the rest is margin). */
const FILL = 0.92;

/** Renders every job (label → folder) into `outDir`; returns the contact sheet's path. */
export async function expressionTurntable(jobs: [string, string][], outDir: string): Promise<string> {
  if (!existsSync(CHROMIUM)) throw new Error(`expression-turntable: ${CHROMIUM} is missing (Debian's chromium package)`);
  await ensureScenesBuilt();
  await mkdir(outDir, { recursive: true });
  for (const [label, dir] of jobs) {
    if (!existsSync(path.join(dir, "head.babylon"))) throw new Error(`expression-turntable: ${dir} holds no head.babylon (reconstruct with --formats babylon)`);
    const session = await startBrowserSession(dir);
    try {
      const { page, errors } = await session.open("/scenes/expressions.html?job=/job/&spin=0&render=manual", { width: FRAME, height: FRAME });
      const names = await page.evaluate(() => window.porelight.blendshapes ?? []);
      const missing = TURNTABLE_EXPRESSIONS.flatMap(([, w]) => Object.keys(w)).filter((n) => !names.includes(n));
      if (missing.length) throw new Error(`expression-turntable: ${label}'s head lacks ${[...new Set(missing)].join(", ")}`);
      let current: Partial<Record<ArkitBlendshape, number>> = {};
      for (const [view, turnDeg] of TURNTABLE_VIEWS) {
        // Every expression of a view is framed as the neutral head was (the weights are 0 here).
        await page.evaluate(frameView, [turnDeg, FILL] as [number, number]);
        for (const [expression, weights] of TURNTABLE_EXPRESSIONS) {
          // This expression's weights and the previous one's back to 0, at once, then the frame itself.
          await page.evaluate(async ([w, before]) => {
            const hook = window.porelight;
            await hook.setBlendshapes!({ ...Object.fromEntries(Object.keys(before).map((n) => [n, 0])), ...w });
            await hook.renderFrames!(2);
          }, [weights, current] as Record<string, number>[]);
          current = weights;
          const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
          await writeAtomically(framePath(outDir, label, view, expression), Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
        }
        process.stderr.write(`expression-turntable ${label} ${view}\n`);
      }
      if (errors.length) throw new Error(`expression-turntable: ${label}: page errors: ${errors.join("; ")}`);
      await page.close();
    } finally {
      await session.close();
    }
  }
  return contactSheet(outDir, jobs.map(([l]) => l));
}

/**
 * Runs in the page: turns the scene's arc-rotate camera `turnDeg` about the head's vertical axis,
 * then centres it on the head's projected bounds and sets its distance so that they fill `fill` of
 * the frame (a few passes: perspective makes the bounds' centre and size depend on the distance).
 * The scene's default camera aims at the bounding box's centre, so at a closer distance a profile
 * lost the face at the frame's edge. Self-contained (serialised into the page): no imports.
 */
export function frameView([turnDeg, fill]: [number, number]): void {
  type Matrix = { m: ArrayLike<number> };
  type Camera = { alpha: number; radius: number; fov: number; target: { x: number; y: number; z: number }; getViewMatrix(force?: boolean): Matrix; getProjectionMatrix(force?: boolean): Matrix };
  type HeadMesh = { getTotalVertices(): number; isVisible: boolean; getVerticesData(kind: string): ArrayLike<number> | null; computeWorldMatrix(force: boolean): Matrix };
  const scene = window.porelight.scene! as unknown as { activeCamera: Camera; meshes: HeadMesh[]; getEngine(): { getAspectRatio(camera: Camera): number } };
  const camera = scene.activeCamera;
  camera.alpha = Math.PI / 2 + (turnDeg * Math.PI) / 180;
  const points: number[] = [];
  for (const mesh of scene.meshes) {
    const P = mesh.isVisible && mesh.getTotalVertices() > 0 ? mesh.getVerticesData("position") : null;
    if (!P) continue;
    const w = mesh.computeWorldMatrix(true).m;
    // Babylon's matrices are row-major and multiply row vectors: world = [x y z 1] · W.
    for (let i = 0; i < P.length; i += 3) for (let k = 0; k < 3; k++) points.push(P[i] * w[k] + P[i + 1] * w[4 + k] + P[i + 2] * w[8 + k] + w[12 + k]);
  }
  if (points.length === 0) return;
  const aspect = scene.getEngine().getAspectRatio(camera);
  for (let pass = 0; pass < 4; pass++) {
    const v = camera.getViewMatrix(true).m, p = camera.getProjectionMatrix(true).m;
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < points.length; i += 3) {
      const e = [0, 1, 2, 3].map((k) => points[i] * v[k] + points[i + 1] * v[4 + k] + points[i + 2] * v[8 + k] + v[12 + k]);
      const c = [0, 1, 3].map((k) => e[0] * p[k] + e[1] * p[4 + k] + e[2] * p[8 + k] + e[3] * p[12 + k]);
      const x = c[0] / c[2], y = c[1] / c[2];
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    // Shift the target by the bounds' centre (normalised device units → metres at the target's distance), then scale the distance.
    const halfHeight = camera.radius * Math.tan(camera.fov / 2), halfWidth = halfHeight * aspect;
    const dx = ((x0 + x1) / 2) * halfWidth, dy = ((y0 + y1) / 2) * halfHeight;
    // The view matrix's first two columns are the camera's right and up axes in world space.
    for (const [axis, d] of [[0, dx], [1, dy]] as const) {
      camera.target.x += v[axis] * d;
      camera.target.y += v[4 + axis] * d;
      camera.target.z += v[8 + axis] * d;
    }
    camera.radius *= Math.max((x1 - x0) / 2, (y1 - y0) / 2) / fill;
  }
}

function framePath(outDir: string, label: string, view: string, expression: string): string {
  return path.join(outDir, `${label}-${view.replace("°", "deg")}-${expression}.png`);
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  await writeFile(`${file}.tmp`, bytes);
  await rename(`${file}.tmp`, file);
}

/** Rows: job × view; columns: the expressions; each tile labelled. */
async function contactSheet(outDir: string, labels: string[]): Promise<string> {
  const tiles: OverlayOptions[] = [];
  let row = 0;
  for (const label of labels) {
    for (const [view] of TURNTABLE_VIEWS) {
      for (const [col, [expression]] of TURNTABLE_EXPRESSIONS.entries()) {
        const input = await sharp(framePath(outDir, label, view, expression)).resize(TILE.w, TILE.h, { fit: "contain", background: "#000" }).png().toBuffer();
        tiles.push({ input, left: col * TILE.w, top: row * TILE.h });
        const text = `<svg width="${TILE.w}" height="24"><text x="6" y="17" font-family="sans-serif" font-size="15" fill="#ff0">${label} · ${view} · ${expression}</text></svg>`;
        tiles.push({ input: Buffer.from(text), left: col * TILE.w, top: row * TILE.h });
      }
      row++;
    }
  }
  const file = path.join(outDir, "sheet.png");
  const png = await sharp({ create: { width: TILE.w * TURNTABLE_EXPRESSIONS.length, height: TILE.h * row, channels: 3, background: "#000" } }).composite(tiles).png().toBuffer();
  await writeAtomically(file, png);
  return file;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out = "";
  const jobs: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") out = args[++i] ?? "";
    else {
      const [label, dir] = args[i].split("=");
      if (!label || !dir) throw new Error(`expression-turntable: expected label=jobDir, got ${args[i]}`);
      jobs.push([label, path.resolve(dir)]);
    }
  }
  if (!out || jobs.length === 0) {
    process.stderr.write("usage: expression-turntable.ts --out <dir> label=jobDir…\n");
    process.exitCode = 2;
    return;
  }
  process.stdout.write(`${await expressionTurntable(jobs, path.resolve(out))}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
