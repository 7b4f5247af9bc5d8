/**
 * Close-up of a job's mouth in the Babylon expressions scene (issue 16): the camera level with the
 * mouth from the front, on the centre of the mouth parts' box at rest, the frame's half-width
 * HALF_WIDTH_PER_MOUTH × the box's width, one frame per pose (rest, jawOpen 0.25 … 1, the
 * turntable's "ah" and smile) side by side in one strip, to see whether the inside of the mouth
 * darkens and lightens with the opening and where the teeth show.
 *
 *   node --import tsx scripts/mouth-closeup.ts --out /tmp/mouth/obama.png /tmp/jobs/obama
 *
 * Needs /usr/bin/chromium (Debian's; nothing is downloaded).
 */
import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { CHROMIUM, ensureScenesBuilt, startBrowserSession } from "../test/browser/harness.ts";
import { MOUTH_POSES } from "./mouth-poses.ts";

const FRAME = { width: 640, height: 400 };
/** The frame's half-width over the width of the mouth parts' box (cavity, teeth, tongue at rest). */
const HALF_WIDTH_PER_MOUTH = 0.75;

export async function mouthCloseup(job: string, out: string): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`mouth-closeup: ${CHROMIUM} is missing (Debian's chromium package)`);
  if (!existsSync(path.join(job, "head.babylon"))) throw new Error(`mouth-closeup: ${job} holds no head.babylon`);
  await ensureScenesBuilt();
  await mkdir(path.dirname(out), { recursive: true });
  const session = await startBrowserSession(job);
  const frames: Buffer[] = [];
  try {
    const { page, errors } = await session.open("/scenes/expressions.html?job=/job/&spin=0&render=manual", FRAME);
    await page.evaluate(async ([frame, k]) => {
      type Vec = { x: number; y: number; z: number };
      type PartMesh = { name: string; computeWorldMatrix(force: boolean): unknown; refreshBoundingInfo(): void; getBoundingInfo(): { boundingBox: { minimumWorld: Vec; maximumWorld: Vec } } };
      type Camera = { alpha: number; beta: number; radius: number; fov: number; minZ: number; lowerRadiusLimit: number | null; target: Vec };
      const scene = window.porelight.scene! as unknown as { activeCamera: Camera; meshes: PartMesh[]; getEngine(): { setSize(w: number, h: number): void; getAspectRatio(c: Camera): number } };
      const canvas = document.getElementById("view") as HTMLCanvasElement;
      (canvas.width = frame.width), (canvas.height = frame.height);
      scene.getEngine().setSize(frame.width, frame.height);
      const parts = scene.meshes.filter((m) => ["mouth", "teeth", "tongue"].includes(m.name));
      if (!parts.length) throw new Error("mouth-closeup: the head has no mouth parts");
      const lo = { x: Infinity, y: Infinity, z: Infinity }, hi = { x: -Infinity, y: -Infinity, z: -Infinity };
      for (const m of parts) {
        m.computeWorldMatrix(true), m.refreshBoundingInfo();
        const b = m.getBoundingInfo().boundingBox;
        for (const a of ["x", "y", "z"] as const) (lo[a] = Math.min(lo[a], b.minimumWorld[a])), (hi[a] = Math.max(hi[a], b.maximumWorld[a]));
      }
      const camera = scene.activeCamera;
      camera.lowerRadiusLimit = null;
      (camera.target.x = (lo.x + hi.x) / 2), (camera.target.y = (lo.y + hi.y) / 2), (camera.target.z = hi.z);
      (camera.alpha = Math.PI / 2), (camera.beta = Math.PI / 2);
      camera.radius = (k * (hi.x - lo.x)) / (Math.tan(camera.fov / 2) * scene.getEngine().getAspectRatio(camera));
      camera.minZ = camera.radius / 100;
    }, [FRAME, HALF_WIDTH_PER_MOUTH] as const);
    let previous: Record<string, number> = {};
    for (const [, weights] of MOUTH_POSES) {
      await page.evaluate(async ([w, before]) => {
        await window.porelight.setBlendshapes!({ ...Object.fromEntries(Object.keys(before).map((n) => [n, 0])), ...w });
        await window.porelight.renderFrames!(2);
      }, [weights, previous] as const);
      previous = weights;
      const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
      frames.push(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
    }
    if (errors.length) throw new Error(`mouth-closeup: page errors: ${errors.join("; ")}`);
  } finally {
    await session.close();
  }
  const label = (text: string) => Buffer.from(`<svg width="${FRAME.width}" height="28"><rect width="100%" height="100%" fill="black"/><text x="8" y="20" font-size="18" fill="white" font-family="sans-serif">${text}</text></svg>`);
  const tiles = await Promise.all(frames.map((f) => sharp(f).resize(FRAME.width, FRAME.height).png().toBuffer()));
  await sharp({ create: { width: FRAME.width * tiles.length, height: FRAME.height + 28, channels: 3, background: "black" } })
    .composite(tiles.flatMap((t, i) => [{ input: t, left: i * FRAME.width, top: 28 }, { input: label(MOUTH_POSES[i][0]), left: i * FRAME.width, top: 0 }]))
    .png()
    .toFile(`${out}.tmp.png`);
  await rename(`${out}.tmp.png`, out);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const o = args.indexOf("--out");
  const out = o >= 0 ? args[o + 1] : "";
  const job = args.find((a, i) => i !== o && i !== o + 1);
  if (!out || !job) throw new Error("usage: mouth-closeup.ts --out <file.png> <jobDir>");
  await mouthCloseup(path.resolve(job), path.resolve(out));
}

await main();
