/**
 * Close-up renders of finished jobs in the Babylon close-up scene (issue 15): for each job folder
 * (one per preset, say), the skin at ≈ 10 cm under a grazing key light at a set of places —
 * cheek, nose, lips, eye, ear, neck (forehead and scalp on request) — with N_S at full strength
 * and flat (the normal map's level 0), under a uniform skin colour ("relief only": what differs is
 * N_S and A_S), and the cheek and nose also with the job's own A_D. Writes one PNG per job, place and mode, a contact sheet per mode
 * (places down, jobs across) and closeups.json: per job and place, the highlight's Laplacian
 * energy with the maps over the flat control (the browser test's measure, test/browser/harness.ts).
 *
 *   node --import tsx scripts/closeup-renders.ts --out /tmp/closeups draft=/tmp/jobs/draft ultra=/tmp/jobs/ultra
 *   node --import tsx scripts/closeup-renders.ts --out /tmp/closeups --views cheek,nose high=/tmp/jobs/high
 *
 * The jobs are `porelight reconstruct … --formats babylon,maps` output folders (head.babylon, maps/).
 * Needs /usr/bin/chromium (Debian's; nothing is downloaded).
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp, { type OverlayOptions } from "sharp";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { vertexRegionWeights } from "../src/pipeline/unwrap/regions.ts";
import { FACE_REGIONS, type FaceRegion } from "../src/types.ts";
import { ensureScenesBuilt, highlightEnergy, startBrowserSession, CHROMIUM } from "../test/browser/harness.ts";

/** A place to look at: a facial region, on the head's +x side unless it straddles the midline. */
interface CloseupView {
  region: FaceRegion;
  /** Keep only vertices with x > 0 (one cheek, one ear…), mm from the midline. */
  oneSide: boolean;
}

export const CLOSEUP_VIEWS: Record<string, CloseupView> = {
  cheek: { region: "cheeks", oneSide: true },
  nose: { region: "nose", oneSide: false },
  lips: { region: "lips", oneSide: true },
  eye: { region: "eyelids", oneSide: true },
  ear: { region: "ears", oneSide: true },
  neck: { region: "neck", oneSide: false },
  forehead: { region: "forehead", oneSide: false },
  scalp: { region: "scalp", oneSide: false },
};

/** Views rendered unless --views says otherwise (a software-rendered frame takes seconds). */
const DEFAULT_VIEWS = ["cheek", "nose", "lips", "eye", "ear", "neck"];
/** Views also rendered with the job's own A_D (the others relief only). */
const ALBEDO_VIEWS = new Set(["cheek", "nose"]);

/**
 * Atlas UV (u right, v down) of each view's anchor on the template head: among the vertices that
 * belong to the region (weight ≥ 0.9), the one nearest the region's centroid. The atlas is the
 * template's, so the same UV is the same place on every job's head.
 */
export function closeupAnchors(views: Record<string, CloseupView> = CLOSEUP_VIEWS): Record<string, [number, number]> {
  const head = buildTemplateHead();
  const P = head.mesh.positions, UV = head.mesh.uvs;
  const weights = vertexRegionWeights(P, head.landmarkVertices);
  const R = FACE_REGIONS.length;
  const skinVertices = new Set<number>();
  const skin = head.parts.find((p) => p.part === "skin");
  if (!skin) throw new Error("closeupAnchors: the template has no skin part");
  for (let i = skin.firstIndex; i < skin.firstIndex + skin.indexCount; i++) skinVertices.add(head.mesh.indices[i]);
  const out: Record<string, [number, number]> = {};
  for (const [name, view] of Object.entries(views)) {
    const r = FACE_REGIONS.indexOf(view.region);
    const members = [...skinVertices].filter((v) => weights[v * R + r] >= 0.9 && (!view.oneSide || P[3 * v] > 0.005));
    if (members.length === 0) throw new Error(`closeupAnchors: no template vertex in region ${view.region}`);
    const c = [0, 0, 0];
    for (const v of members) for (let k = 0; k < 3; k++) c[k] += P[3 * v + k] / members.length;
    const nearest = members.reduce((best, v) => (dist2(P, v, c) < dist2(P, best, c) ? v : best));
    out[name] = [UV[2 * nearest], UV[2 * nearest + 1]];
  }
  return out;
}

function dist2(P: Float32Array, v: number, c: number[]): number {
  return (P[3 * v] - c[0]) ** 2 + (P[3 * v + 1] - c[1]) ** 2 + (P[3 * v + 2] - c[2]) ** 2;
}

/** The three shots of one place: N_S on and flat under a uniform skin colour, and N_S on with A_D. */
const MODES = ["relief", "relief-flat", "albedo"] as const;
type Mode = (typeof MODES)[number];

export interface CloseupRenderResult {
  /** Per job label and view: highlight energy with N_S, flat, and their ratio (relief only). */
  gains: Record<string, Record<string, { eDetail: number; eFlat: number; gain: number }>>;
  files: string[];
}

/** Renders every view of every job (label → folder) into `outDir`. */
export async function closeupRenders(jobs: [string, string][], outDir: string, viewNames = DEFAULT_VIEWS): Promise<CloseupRenderResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`closeup-renders: ${CHROMIUM} is missing (Debian's chromium package)`);
  await ensureScenesBuilt();
  await mkdir(outDir, { recursive: true });
  const anchors = closeupAnchors(Object.fromEntries(viewNames.map((n) => [n, CLOSEUP_VIEWS[n]])));
  const result: CloseupRenderResult = { gains: {}, files: [] };
  for (const [label, dir] of jobs) {
    const session = await startBrowserSession(dir);
    try {
      const { page, errors } = await session.open("/scenes/closeup.html?job=/job/&spin=0&render=manual", { width: 800, height: 512 });
      const shot = async (view: string, mode: Mode) => {
        await page.evaluate(({ on, s }) => Promise.all([window.porelight.setReliefOnly!(on), window.porelight.setDetail!(s)]), { on: mode !== "albedo", s: mode === "relief-flat" ? 0 : 1 });
        await page.evaluate(() => window.porelight.renderFrames!(2));
        const png = await page.locator("#view").screenshot({ timeout: 300_000 });
        const file = path.join(outDir, `${label}-${view}-${mode}.png`);
        await writeFile(file, png);
        result.files.push(file);
        return png;
      };
      result.gains[label] = {};
      for (const view of viewNames) {
        await page.evaluate(([u, v]) => window.porelight.aimAt!(u, v), anchors[view]);
        const detail = await shot(view, "relief");
        const flat = await shot(view, "relief-flat");
        if (ALBEDO_VIEWS.has(view)) await shot(view, "albedo");
        const eFlat = await highlightEnergy(flat, flat), eDetail = await highlightEnergy(detail, flat);
        result.gains[label][view] = { eDetail: round(eDetail), eFlat: round(eFlat), gain: round(eDetail / Math.max(eFlat, 1e-9)) };
        process.stderr.write(`closeup ${label} ${view}: gain ${(eDetail / Math.max(eFlat, 1e-9)).toFixed(2)}\n`);
      }
      if (errors.length) throw new Error(`closeup-renders: ${label}: page errors: ${errors.join("; ")}`);
      await page.close();
    } finally {
      await session.close();
    }
  }
  for (const mode of MODES) await contactSheet(outDir, jobs.map(([l]) => l), viewNames.filter((v) => mode !== "albedo" || ALBEDO_VIEWS.has(v)), mode);
  await writeFile(path.join(outDir, "closeups.json"), JSON.stringify({ anchors, gains: result.gains }, null, 2) + "\n");
  return result;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** One sheet per mode: views down, jobs across, each tile at half size with its label. */
async function contactSheet(outDir: string, labels: string[], views: string[], mode: Mode): Promise<void> {
  const tile = { w: 400, h: 256 };
  const tiles: OverlayOptions[] = [];
  for (const [row, view] of views.entries()) {
    for (const [col, label] of labels.entries()) {
      const input = await sharp(path.join(outDir, `${label}-${view}-${mode}.png`)).resize(tile.w, tile.h, { fit: "fill" }).png().toBuffer();
      tiles.push({ input, left: col * tile.w, top: row * tile.h });
      const text = `<svg width="${tile.w}" height="24"><text x="6" y="17" font-family="sans-serif" font-size="15" fill="#ff0">${label} · ${view}</text></svg>`;
      tiles.push({ input: Buffer.from(text), left: col * tile.w, top: row * tile.h });
    }
  }
  await sharp({ create: { width: tile.w * labels.length, height: tile.h * views.length, channels: 3, background: "#000" } }).composite(tiles).png().toFile(path.join(outDir, `sheet-${mode}.png`));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let out = "";
  let views = DEFAULT_VIEWS;
  const jobs: [string, string][] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--out") out = args[++i] ?? "";
    else if (args[i] === "--views") views = (args[++i] ?? "").split(",");
    else {
      const [label, dir] = args[i].split("=");
      if (!label || !dir) throw new Error(`closeup-renders: expected label=jobDir, got ${args[i]}`);
      jobs.push([label, path.resolve(dir)]);
    }
  }
  const unknown = views.filter((v) => !(v in CLOSEUP_VIEWS));
  if (!out || jobs.length === 0 || unknown.length) {
    process.stderr.write(`usage: closeup-renders.ts --out <dir> [--views ${Object.keys(CLOSEUP_VIEWS).join(",")}] label=jobDir…${unknown.length ? `\nunknown views: ${unknown.join(", ")}` : ""}\n`);
    process.exitCode = 2;
    return;
  }
  const { gains } = await closeupRenders(jobs, path.resolve(out), views);
  process.stdout.write(JSON.stringify(gains, null, 2) + "\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
