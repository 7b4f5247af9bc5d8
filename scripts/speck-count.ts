/**
 * Dark specks in the Babylon expressions scene (issue 16): renders each job from the front and at
 * 45°, neutral and "ah", framed as scripts/expression-turntable.ts frames it, and counts two kinds
 * of speck pixels per frame (speck-pixels.ts): silhouette pixels darker than the background beside
 * them, and isolated dark pixels inside the head. The switches take parts of the renderer out to
 * find where a speck comes from; `--raw` renders without the scene's MSAA resolve guard.
 *
 *   node --import tsx scripts/speck-count.ts --out /tmp/specks/after astronaut=/tmp/jobs/astronaut obama=/tmp/jobs/obama
 *   node --import tsx scripts/speck-count.ts --out /tmp/specks/raw --raw --scale 2 astronaut=/tmp/jobs/astronaut
 *   node --import tsx scripts/speck-count.ts --count /tmp/turntable/*.png
 *   node --import tsx scripts/speck-count.ts --compare /tmp/specks/raw /tmp/specks/after
 *
 * Writes one PNG per job, view and expression and specks.json (counts per frame and totals).
 * Needs /usr/bin/chromium (Debian's; nothing is downloaded).
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ArkitBlendshape } from "../src/geometry/blendshape-names.ts";
import { CHROMIUM, ensureScenesBuilt, startBrowserSession } from "../test/browser/harness.ts";
import { countSpecks, interiorDifference, type SpeckCounts } from "../test/browser/speck-pixels.ts";
import { frameView, TURNTABLE_EXPRESSIONS, TURNTABLE_VIEWS } from "./expression-turntable.ts";

interface Switches {
  /** Canvas size over the page's 640 × 480 (the drawing buffer is resized; the framing stays). */
  scale: number;
  msaa?: number;
  scattering: boolean;
  /** Frames to time with the resolve guard and without (0: no timing). */
  timeFrames: number;
  /** Mesh names to hide (e.g. mouth, teeth, tongue). */
  hide: string[];
  /** Render without the resolve guard (materials/subsurface-resolve.ts). */
  raw: boolean;
  /** Polygon-offset factor set on these materials (name=factor), e.g. mouth=1. */
  zOffset: Record<string, number>;
  views: string[];
  expressions: string[];
}

/** Share of the frame the head's projected bounds fill, as in expression-turntable.ts. */
const FILL = 0.92;

export async function speckCount(jobs: [string, string][], outDir: string, s: Switches): Promise<Record<string, SpeckCounts>> {
  if (!existsSync(CHROMIUM)) throw new Error(`speck-count: ${CHROMIUM} is missing (Debian's chromium package)`);
  await ensureScenesBuilt();
  await mkdir(outDir, { recursive: true });
  const counts: Record<string, SpeckCounts> = {};
  const timings: Record<string, { guardMs: number; rawMs: number }> = {};
  const views = TURNTABLE_VIEWS.filter(([v]) => s.views.includes(v.replace("°", "deg")));
  const expressions = TURNTABLE_EXPRESSIONS.filter(([e]) => s.expressions.includes(e));
  for (const [label, dir] of jobs) {
    if (!existsSync(path.join(dir, "head.babylon"))) throw new Error(`speck-count: ${dir} holds no head.babylon`);
    const session = await startBrowserSession(dir);
    try {
      const { page, errors } = await session.open(`/scenes/expressions.html?job=/job/&spin=0&render=manual`, { width: 640 * s.scale + 400, height: 480 * s.scale + 100 });
      await page.evaluate(async (sw) => {
        const hook = window.porelight;
        const canvas = document.getElementById("view") as HTMLCanvasElement;
        (canvas.width = 640 * sw.scale), (canvas.height = 480 * sw.scale);
        (hook.scene! as unknown as { getEngine(): { setSize(w: number, h: number): void } }).getEngine().setSize(canvas.width, canvas.height);
        if (sw.msaa !== undefined) await hook.setMsaa!(sw.msaa);
        if (sw.raw) await hook.setResolveGuard!(false);
        if (!sw.scattering) await hook.setScattering!(false);
        const scene = hook.scene! as unknown as { meshes: { name: string; isVisible: boolean }[] };
        for (const m of scene.meshes) if (sw.hide.includes(m.name)) m.isVisible = false;
        for (const m of (hook.scene! as unknown as { materials: { name: string; zOffset: number }[] }).materials) if (m.name in sw.zOffset) m.zOffset = sw.zOffset[m.name];
      }, s);
      for (const [view, turnDeg] of views) {
        await page.evaluate(frameView, [turnDeg, FILL] as [number, number]);
        for (const [expression, weights] of expressions) {
          await page.evaluate(async (w) => {
            const hook = window.porelight;
            await hook.setBlendshapes!(Object.fromEntries(hook.blendshapes!.map((n) => [n, (w as Record<string, number>)[n] ?? 0])));
            await hook.renderFrames!(2);
          }, weights as Partial<Record<ArkitBlendshape, number>>);
          const url = await page.evaluate(() => (document.getElementById("view") as HTMLCanvasElement).toDataURL("image/png"));
          const png = Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
          const name = `${label}-${view.replace("°", "deg")}-${expression}`;
          await writeFile(path.join(outDir, `${name}.png.tmp`), png);
          await rename(path.join(outDir, `${name}.png.tmp`), path.join(outDir, `${name}.png`));
          counts[name] = await countSpecks(png);
          process.stderr.write(`speck-count ${name} ${JSON.stringify(counts[name])}\n`);
        }
      }
      if (s.timeFrames > 0) timings[label] = await page.evaluate(timeGuard, s.timeFrames);
      if (errors.length) throw new Error(`speck-count: ${label}: page errors: ${errors.join("; ")}`);
    } finally {
      await session.close();
    }
  }
  const total = (k: keyof SpeckCounts) => Object.values(counts).reduce((n, c) => n + c[k], 0);
  const report = { switches: s, frames: counts, totals: { silhouette: total("silhouette"), isolated: total("isolated") }, timings };
  await writeFile(path.join(outDir, "specks.json.tmp"), JSON.stringify(report, null, 2) + "\n");
  await rename(path.join(outDir, "specks.json.tmp"), path.join(outDir, "specks.json"));
  process.stdout.write(`${JSON.stringify(report.totals)}${s.timeFrames > 0 ? ` ${JSON.stringify(timings)}` : ""}\n`);
  return counts;
}

/**
 * Runs in the page: renders `n` frames with the resolve guard and `n` without, alternating (so a
 * change in the machine's load hits both), each frame waited for by a one-pixel read-back; returns
 * the median wall time per frame of each, ms. Self-contained (serialised into the page).
 */
async function timeGuard(n: number): Promise<{ guardMs: number; rawMs: number }> {
  const hook = window.porelight;
  const scene = hook.scene! as unknown as { render(): void; getEngine(): { _gl: WebGL2RenderingContext } };
  const gl = scene.getEngine()._gl;
  const pixel = new Uint8Array(4);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < 2 * n; i++) {
    const guard = i % 2 === 0;
    await hook.setResolveGuard!(guard);
    scene.render(); // the switch's first frame may compile
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    const t0 = performance.now();
    scene.render();
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, pixel);
    times[guard ? 0 : 1].push(performance.now() - t0);
  }
  await hook.setResolveGuard!(true);
  // No named helper here: the bundler would wrap it in a function the page does not have.
  const [guardMs, rawMs] = times.map((a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]);
  return { guardMs, rawMs };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--compare") {
    // Two folders of the same frames (e.g. --raw and the default): how much changed away from the outline.
    const [a, b] = [args[1], args[2]];
    for (const file of (await readdir(a)).filter((f) => f.endsWith(".png")).sort()) {
      if (!existsSync(path.join(b, file))) continue;
      const d = await interiorDifference(await readFile(path.join(a, file)), await readFile(path.join(b, file)));
      process.stdout.write(`${path.basename(file, ".png")} mean ${d.mean.toFixed(3)} changed>8 ${(100 * d.changed).toFixed(3)} % of ${d.pixels}\n`);
    }
    return;
  }
  if (args[0] === "--count") {
    // Frames rendered elsewhere (e.g. expression-turntable.ts on main): counts only.
    let silhouette = 0, isolated = 0;
    for (const file of args.slice(1)) {
      const c = await countSpecks(await readFile(file));
      silhouette += c.silhouette; isolated += c.isolated;
      process.stdout.write(`${path.basename(file, ".png")} ${JSON.stringify(c)}\n`);
    }
    process.stdout.write(`${JSON.stringify({ silhouette, isolated })}\n`);
    return;
  }
  let out = "";
  const jobs: [string, string][] = [];
  const s: Switches = { scale: 1, scattering: true, hide: [], raw: false, zOffset: {}, timeFrames: 0, views: ["front", "45deg"], expressions: ["neutral", "ah"] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--out") out = args[++i] ?? "";
    else if (a === "--scale") s.scale = Number(args[++i]);
    else if (a === "--msaa") s.msaa = Number(args[++i]);
    else if (a === "--no-scattering") s.scattering = false;
    else if (a === "--hide") s.hide = (args[++i] ?? "").split(",");
    else if (a === "--raw") s.raw = true;
    else if (a === "--time") s.timeFrames = Number(args[++i]);
    else if (a === "--z-offset") for (const kv of (args[++i] ?? "").split(",")) s.zOffset[kv.split("=")[0]] = Number(kv.split("=")[1]);
    else if (a === "--views") s.views = (args[++i] ?? "").split(",");
    else if (a === "--expressions") s.expressions = (args[++i] ?? "").split(",");
    else {
      const [label, dir] = a.split("=");
      if (!label || !dir) throw new Error(`speck-count: expected label=jobDir, got ${a}`);
      jobs.push([label, path.resolve(dir)]);
    }
  }
  if (!out || jobs.length === 0 || !(s.scale >= 1) || (s.msaa !== undefined && !(s.msaa >= 1)) || !(s.timeFrames >= 0)) {
    process.stderr.write("usage: speck-count.ts --count <png>… | --compare <dirA> <dirB> | --out <dir> [--scale K] [--msaa N] [--no-scattering] [--hide mouth,teeth,tongue] [--raw] [--time N] [--z-offset mouth=1,teeth=1] [--views front,45deg,profile] [--expressions neutral,smile,blink,ah] label=jobDir…\n");
    process.exitCode = 2;
    return;
  }
  await speckCount(jobs, path.resolve(out), s);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
