/**
 * What Blender makes of our GLBs: runs Blender's own glTF importer in background mode
 * (scripts/blender-gltf-report.py) on each file and prints meshes (vertices, faces, UV layers,
 * morph targets as shape keys), materials with their images, images with size and colour space,
 * and the importer's errors. Needs Blender (`apt-get install blender python3-numpy` on Debian).
 *
 *   node --import tsx scripts/blender-check.ts out/head.glb [more.glb ...]
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const BLENDER = "/usr/bin/blender";
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "blender-gltf-report.py");
const MARKER = "PORELIGHT_BLENDER_REPORT ";

export interface BlenderReport {
  file: string;
  blender: string;
  /** The importer's outcome: ["FINISHED"], or ["EXCEPTION"] with `errors`. */
  result: string[];
  errors: string[];
  objects: { name: string; type: string; parent: string | null; location: number[] }[];
  meshes: { name: string; vertices: number; faces: number; uvLayers: number; shapeKeys: number; materials: string[] }[];
  materials: { name: string; images: string[]; normalMaps: number }[];
  images: { name: string; size: number[]; colorspace: string; hasData: boolean }[];
  /** Lines of Blender's own output that say warning or error (the importer's notes). */
  warnings: string[];
}

/** Imports `glb` in a background Blender and returns what it reports. */
export async function blenderReport(glb: string, blender = BLENDER): Promise<BlenderReport> {
  if (!existsSync(blender)) throw new Error(`blender check: ${blender} not found (Debian: apt-get install blender python3-numpy)`);
  const { stdout, stderr } = await promisify(execFile)(blender, ["-b", "--factory-startup", "--python", SCRIPT, "--", path.resolve(glb)], { maxBuffer: 64 << 20, timeout: 600_000 });
  const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
  if (!line) throw new Error(`blender check: no report from Blender for ${glb}: ${(stderr || stdout).slice(-500)}`);
  const warnings = `${stdout}\n${stderr}`.split("\n").filter((l) => !l.startsWith(MARKER) && /warning|error/i.test(l)).map((l) => l.trim());
  return { ...(JSON.parse(line.slice(MARKER.length)) as Omit<BlenderReport, "warnings">), warnings };
}

/** A few lines a person reads. */
export function describeReport(r: BlenderReport): string {
  const lines = [`${path.basename(r.file)}: Blender ${r.blender}, import ${r.result.join(",")}`];
  for (const e of r.errors) lines.push(`  error: ${e.split("\n").filter(Boolean).at(-1)}`);
  for (const m of r.meshes) lines.push(`  mesh ${m.name}: ${m.vertices} vertices, ${m.faces} faces, ${m.uvLayers} UV layer(s), ${m.shapeKeys} morph targets, material ${m.materials.join(",") || "none"}`);
  for (const m of r.materials) lines.push(`  material ${m.name}: images ${m.images.join(", ") || "none"}; normal maps ${m.normalMaps}`);
  for (const i of r.images) lines.push(`  image ${i.name}: ${i.size.join("×")} ${i.colorspace}`);
  for (const w of [...new Set(r.warnings)]) lines.push(`  note: ${w}`);
  return lines.join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error("usage: node --import tsx scripts/blender-check.ts <file.glb> [...]");
  let failed = 0;
  for (const file of files) {
    const report = await blenderReport(file);
    if (report.errors.length) failed++;
    process.stdout.write(describeReport(report) + "\n");
  }
  process.exitCode = failed ? 1 : 0;
}
