/**
 * Close-up of a job's eyes in the Babylon expressions scene (issue 16): the camera on the eyes'
 * midpoint from the front, the frame's half-width 1.05 × the eyes' separation (≈ 0.08 mm per
 * pixel at the eyes), 1600 × 800, neutral and blinking (eyeBlinkLeft/Right 1). With a job copy
 * from scripts/lid-debug-albedo.ts it shows which atlas texels a closed lid shows; the switches
 * take parts of the renderer out to find where an artefact comes from.
 *
 *   node --import tsx scripts/eye-closeup.ts --out /tmp/eyes/hrn /tmp/jobs/hrn-00521 [--msaa 1] [--hide-eyes] [--no-scattering] [--eye-zoffset F]
 *
 * Writes <out>-neutral.png and <out>-blink.png. Needs /usr/bin/chromium (Debian's; nothing is downloaded).
 */
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { CHROMIUM, ensureScenesBuilt, startBrowserSession } from "../test/browser/harness.ts";

const FRAME = { width: 1600, height: 800 };
/** The frame's half-width over the eyes' separation. */
const HALF_WIDTH_PER_SEPARATION = 1.05;

interface CloseupSwitches { msaa?: number; hideEyes: boolean; scattering: boolean; eyeZOffset?: number }

export async function eyeCloseup(job: string, out: string, switches: CloseupSwitches): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`eye-closeup: ${CHROMIUM} is missing (Debian's chromium package)`);
  if (!existsSync(path.join(job, "head.babylon"))) throw new Error(`eye-closeup: ${job} holds no head.babylon`);
  await ensureScenesBuilt();
  await mkdir(path.dirname(out), { recursive: true });
  const session = await startBrowserSession(job);
  try {
    const { page, errors } = await session.open("/scenes/expressions.html?job=/job/&spin=0&render=manual", FRAME);
    await page.evaluate(async ([s, frame, k]) => {
      const hook = window.porelight;
      if (s.msaa !== undefined) await hook.setMsaa!(s.msaa);
      if (!s.scattering) await hook.setScattering!(false);
      type Vec = { x: number; y: number; z: number };
      type EyeMesh = { name: string; isVisible: boolean; computeWorldMatrix(force: boolean): unknown; refreshBoundingInfo(): void; getBoundingInfo(): { boundingBox: { centerWorld: Vec } } };
      type Camera = { alpha: number; beta: number; radius: number; fov: number; minZ: number; lowerRadiusLimit: number | null; target: Vec };
      const scene = hook.scene! as unknown as { activeCamera: Camera; meshes: EyeMesh[]; getEngine(): { setSize(w: number, h: number): void; getAspectRatio(c: Camera): number } };
      const canvas = document.getElementById("view") as HTMLCanvasElement;
      (canvas.width = frame.width), (canvas.height = frame.height);
      scene.getEngine().setSize(frame.width, frame.height);
      const eyes = scene.meshes.filter((m) => /^eye/.test(m.name));
      if (eyes.length !== 2) throw new Error(`eye-closeup: expected two eye meshes, found ${eyes.length}`);
      const [a, b] = eyes.map((m) => (m.computeWorldMatrix(true), m.refreshBoundingInfo(), m.getBoundingInfo().boundingBox.centerWorld));
      const camera = scene.activeCamera;
      // The scene keeps the camera a head's radius away; the eyes need it far closer.
      camera.lowerRadiusLimit = null;
      camera.target.x = (a.x + b.x) / 2, camera.target.y = (a.y + b.y) / 2, camera.target.z = (a.z + b.z) / 2;
      (camera.alpha = Math.PI / 2), (camera.beta = Math.PI / 2);
      const separation = Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z);
      camera.radius = (k * separation) / (Math.tan(camera.fov / 2) * scene.getEngine().getAspectRatio(camera));
      camera.minZ = camera.radius / 100;
      if (s.hideEyes) for (const m of eyes) m.isVisible = false;
      // The eye material's polygon-offset factor (materials/eye-depth.ts); 0 shows the scene without it.
      if (s.eyeZOffset !== undefined) for (const m of eyes) (m as unknown as { material: { zOffset: number } }).material.zOffset = s.eyeZOffset;
    }, [switches, FRAME, HALF_WIDTH_PER_SEPARATION] as const);
    for (const [label, weight] of [["neutral", 0], ["blink", 1]] as const) {
      await page.evaluate(async (w) => {
        await window.porelight.setBlendshapes!({ eyeBlinkLeft: w, eyeBlinkRight: w });
        await window.porelight.renderFrames!(2);
      }, weight);
      const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
      const file = `${out}-${label}.png`;
      await writeFile(`${file}.tmp`, Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
      await rename(`${file}.tmp`, file);
    }
    if (errors.length) throw new Error(`eye-closeup: page errors: ${errors.join("; ")}`);
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out = "", job = "";
  const switches: CloseupSwitches = { hideEyes: false, scattering: true };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") out = args[++i] ?? "";
    else if (args[i] === "--msaa") switches.msaa = Number(args[++i]);
    else if (args[i] === "--hide-eyes") switches.hideEyes = true;
    else if (args[i] === "--no-scattering") switches.scattering = false;
    else if (args[i] === "--eye-zoffset") switches.eyeZOffset = Number(args[++i]);
    else job = args[i];
  }
  if (!out || !job || (switches.msaa !== undefined && !(switches.msaa >= 1)) || (switches.eyeZOffset !== undefined && !Number.isFinite(switches.eyeZOffset))) throw new Error("usage: eye-closeup.ts --out <prefix> <jobDir> [--msaa N] [--hide-eyes] [--no-scattering] [--eye-zoffset F]");
  await eyeCloseup(path.resolve(job), path.resolve(out), switches);
}

await main();
