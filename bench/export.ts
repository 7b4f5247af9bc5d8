/**
 * `npm run bench -- export [--job <dir>]`: head.glb per delivery target (materials/gltf-delivery.ts)
 * from one job's mesh and maps: GLB bytes, texture GPU memory, encode time (median of --runs, the
 * whole writeHeadGlb), Khronos validator errors/warnings, and the Babylon render's PSNR against the
 * `source` GLB from five views (Chromium, SwiftShader, the sample scenes' GLB loader).
 *
 * The job defaults to a fresh `standard` job on the sample photo (target source); `--job` reuses
 * a job directory (head.glb of any target and maps/). Renders go to bench-artifacts/export/.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NodeIO } from "@gltf-transform/core";
import { MeshoptDecoder, MeshoptEncoder } from "meshoptimizer";
import { validateBytes } from "gltf-validator";
import sharp from "sharp";
import { read as readKtx2 } from "ktx-parse";
import { writeHeadGlb } from "../materials/head-glb.ts";
import { DELIVERY_TARGETS, HEAD_GLTF_EXTENSIONS, type DeliveryTarget } from "../materials/gltf-delivery.ts";
import type { HeadPartGeometry } from "../materials/head-geometry.ts";
import { SKIN_MAP_FILES, type HeadMapsPng } from "../materials/map-files.ts";
import { validateSkinParameters, type SkinParameters } from "../materials/skin-parameters.ts";
import type { HeadPart } from "../src/types.ts";
import { headPivot, moveOrigin } from "../materials/head-pivot.ts";
import { weldSeamTangents } from "../materials/seam-tangents.ts";
import { median } from "./timing.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "bench-artifacts", "export");
const PARTS: HeadPart[] = ["skin", "eyeLeft", "eyeRight", "mouth", "teeth", "tongue"];

export interface JobSource {
  geometry: HeadPartGeometry[];
  maps: HeadMapsPng;
  parameters: Partial<SkinParameters>;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function io(): Promise<NodeIO> {
  await Promise.all([MeshoptEncoder.ready, MeshoptDecoder.ready]);
  return new NodeIO().registerExtensions(HEAD_GLTF_EXTENSIONS).registerDependencies({ "meshopt.encoder": MeshoptEncoder, "meshopt.decoder": MeshoptDecoder });
}

/**
 * The parts' geometry back from a head.glb of any target (the scene's part nodes in PARTS order;
 * LOD levels ignored), dequantised: positions through their node's world matrix, which carries
 * KHR_mesh_quantization's scale and offset.
 */
async function readGeometry(glb: Uint8Array): Promise<HeadPartGeometry[]> {
  const doc = await (await io()).readBinary(glb);
  const nodes = PARTS.map((part) => doc.getRoot().listNodes().find((n) => n.getName() === part && n.getMesh()));
  const prims = nodes.map((n, k) => {
    const list = n?.getMesh()?.listPrimitives() ?? [];
    if (list.length !== 1) throw new Error(`bench export: expected one primitive on node "${PARTS[k]}", got ${list.length}`);
    return list[0];
  });
  const f32 = (name: string, p: (typeof prims)[number]) => {
    const a = p.getAttribute(name)!;
    const out = new Float32Array(a.getCount() * a.getElementSize());
    const el: number[] = [];
    for (let i = 0; i < a.getCount(); i++) out.set(a.getElement(i, el), i * a.getElementSize());
    return out;
  };
  const worldPositions = (p: (typeof prims)[number], k: number) => {
    const m = nodes[k]!.getWorldMatrix();
    const xyz = f32("POSITION", p);
    for (let i = 0; i < xyz.length; i += 3) {
      const [x, y, z] = [xyz[i], xyz[i + 1], xyz[i + 2]];
      for (let r = 0; r < 3; r++) xyz[i + r] = m[r] * x + m[4 + r] * y + m[8 + r] * z + m[12 + r];
    }
    return xyz;
  };
  return prims.map((p, k) => ({
    part: PARTS[k],
    positions: worldPositions(p, k),
    normals: f32("NORMAL", p),
    // A part without a normal map may ship without tangents (the eyes after prune): +U, right-handed.
    tangents: p.getAttribute("TANGENT") ? f32("TANGENT", p) : new Float32Array(p.getAttribute("POSITION")!.getCount() * 4).map((_, i) => (i % 4 === 0 || i % 4 === 3 ? 1 : 0)),
    // Untextured parts (mouth, teeth, tongue: plain materials) lose their UVs to prune.
    uvs: p.getAttribute("TEXCOORD_0") ? f32("TEXCOORD_0", p) : new Float32Array(p.getAttribute("POSITION")!.getCount() * 2),
    indices: Uint32Array.from(p.getIndices()!.getArray()!),
  }));
}

export async function loadJob(dir: string): Promise<JobSource> {
  const read = async (name: string) => new Uint8Array(await readFile(path.join(dir, name)));
  const optional = (name: string) => read(name).catch(() => undefined);
  const maps: HeadMapsPng = {
    albedoDiffuse: await read(SKIN_MAP_FILES.albedoDiffuse),
    albedoSpecular: await read(SKIN_MAP_FILES.albedoSpecular),
    normalsDiffuse: await read(SKIN_MAP_FILES.normalsDiffuse),
    normalsSpecular: await read(SKIN_MAP_FILES.normalsSpecular),
    thinMask: await optional(SKIN_MAP_FILES.thinMask),
    eyes: await optional(SKIN_MAP_FILES.eyes),
  };
  const material = JSON.parse(await readFile(path.join(dir, "material.json"), "utf8"));
  const parts = await readGeometry(await read("head.glb"));
  // As exportHeadAssets prepares the parts: origin at the skull base, tangents welded across the cut.
  const geometry = moveOrigin(parts, headPivot(parts[0])).map(weldSeamTangents);
  return { geometry, maps, parameters: material.parameters };
}

async function freshJob(): Promise<string> {
  const dir = path.join(OUT, "job-standard");
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const photo = await readFile(path.join(ROOT, "test", "fixtures", "astronaut-nasa-public-domain.png"));
  const { files } = await reconstruct(photo, { preset: "standard", face: 0, formats: ["glb", "maps"], target: "source" });
  await rm(dir, { recursive: true, force: true });
  for (const f of files) {
    await mkdir(path.dirname(path.join(dir, f.name)), { recursive: true });
    await writeFile(path.join(dir, f.name), f.bytes);
  }
  return dir;
}

/**
 * Texture memory as the GPU holds it: a decoded PNG or WebP as RGBA8 with a full mip chain (4/3);
 * a KTX2 level by level as its block format: UASTC as BC7 or ASTC 4×4 (16 bytes per 4×4 block,
 * what keeps its quality), ETC1S as BC1/ETC1 (8 bytes) or, with alpha, BC3/ETC2 (16).
 */
async function textureGpuBytes(glb: Uint8Array): Promise<number> {
  const doc = await (await io()).readBinary(glb);
  let bytes = 0;
  for (const t of doc.getRoot().listTextures()) {
    if (t.getMimeType() === "image/ktx2") {
      bytes += ktx2GpuBytes(t.getImage()!);
      continue;
    }
    const meta = await sharp(t.getImage()!).metadata();
    bytes += (meta.width! * meta.height! * 4 * 4) / 3;
  }
  return bytes;
}

const KHR_DF_MODEL_ETC1S = 163;

export function ktx2GpuBytes(image: Uint8Array): number {
  const ktx = readKtx2(image);
  const dfd = ktx.dataFormatDescriptor[0];
  const blockBytes = dfd.colorModel === KHR_DF_MODEL_ETC1S && dfd.samples.length < 2 ? 8 : 16;
  let bytes = 0;
  for (let level = 0; level < ktx.levels.length; level++) {
    const w = Math.max(1, ktx.pixelWidth >> level), h = Math.max(1, ktx.pixelHeight >> level);
    bytes += Math.ceil(w / 4) * Math.ceil(h / 4) * blockBytes;
  }
  return bytes;
}

interface ValidatorMessage { code: string; message: string; severity: number; pointer?: string }

/**
 * The Khronos validator's errors and warnings, less those that only say it does not know
 * KHR_texture_basisu: npm's newest gltf-validator (2.0.0-dev.3.10) accepts no `image/ktx2` mime type
 * (VALUE_NOT_IN_LIST) and cannot read a KTX2 header (IMAGE_UNRECOGNIZED_FORMAT). Those two are set
 * aside only on images that are KTX2, and counted separately; the KTX2 itself is checked by
 * test/ktx2-encode.test.ts and the renders.
 */
export function validatorFindings(report: { issues: { messages: ValidatorMessage[] } }, glb: Uint8Array): { issues: ValidatorMessage[]; ktx2Unknown: number } {
  const json = glbJson(glb) as { images?: { mimeType?: string }[] };
  const ktx2 = new Set((json.images ?? []).flatMap((img, i) => (img.mimeType === "image/ktx2" ? [`/images/${i}`, `/images/${i}/mimeType`] : [])));
  const serious = report.issues.messages.filter((m) => m.severity <= 1);
  const unknown = serious.filter((m) => (m.code === "IMAGE_UNRECOGNIZED_FORMAT" || m.code === "VALUE_NOT_IN_LIST") && ktx2.has(m.pointer ?? ""));
  return { issues: serious.filter((m) => !unknown.includes(m)), ktx2Unknown: unknown.length };
}

/** A GLB's JSON chunk. */
function glbJson(glb: Uint8Array): unknown {
  const view = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  return JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + view.getUint32(12, true))));
}

const mb = (n: number) => (n / 1e6).toFixed(2);

export interface ExportRow {
  target: DeliveryTarget;
  bytes: number;
  gpuBytes: number;
  encodeMs: number;
  errors: number;
  warnings: number;
  /** Validator warnings that only say it does not know KTX2 (validatorFindings). */
  ktx2Unknown: number;
  /** Babylon (the sample scenes) PSNR per view against `source`. */
  psnr?: number[];
  /** three.js PSNR per view against `source`. */
  psnrThree?: number[];
}

/** A PSNR list worth printing (not the reference against itself). */
const row0 = (xs: number[]) => xs.some(Number.isFinite);

export async function runExportBench(args: string[]): Promise<void> {
  const runs = Number(flag(args, "--runs") ?? 3);
  await mkdir(OUT, { recursive: true });
  const jobDir = flag(args, "--job") ?? (await freshJob());
  const job = await loadJob(jobDir);
  const parameters = validateSkinParameters(job.parameters);
  console.log(`job: ${path.relative(ROOT, jobDir) || jobDir}; ${job.geometry.map((g) => `${g.part} ${g.indices.length / 3} tris`).join(", ")}; runs ${runs}`);
  const rows: ExportRow[] = [];
  const glbs: Partial<Record<DeliveryTarget, Uint8Array>> = {};
  for (const target of DELIVERY_TARGETS) {
    const times: number[] = [];
    let glb: Uint8Array | undefined;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const bytes = await writeHeadGlb(job.geometry, job.maps, parameters, target);
      times.push(performance.now() - t0);
      if (glb && !Buffer.from(glb).equals(Buffer.from(bytes))) throw new Error(`bench export: ${target} is not deterministic`);
      glb = bytes;
    }
    glbs[target] = glb!;
    await writeFile(path.join(OUT, `head.${target}.glb`), glb!);
    const findings = validatorFindings(await validateBytes(glb!), glb!);
    for (const m of findings.issues) console.log(`${target}: validator ${m.severity === 0 ? "error" : "warning"} ${m.code}: ${m.message} (${m.pointer ?? ""})`);
    const count = (severity: number) => findings.issues.filter((m) => m.severity === severity).length;
    rows.push({ target, bytes: glb!.byteLength, gpuBytes: await textureGpuBytes(glb!), encodeMs: median(times), errors: count(0), warnings: count(1), ktx2Unknown: findings.ktx2Unknown });
  }
  if (!args.includes("--no-render")) {
    const { renderViews, renderViewsThree } = await import("./export-render.ts");
    const files = DELIVERY_TARGETS.map((t) => ({ name: t, file: path.join(OUT, `head.${t}.glb`) }));
    const babylon = await renderViews(OUT, files, "source");
    const three = await renderViewsThree(OUT, files, "source");
    for (const row of rows) [row.psnr, row.psnrThree] = [babylon[row.target], three[row.target]];
  }
  const range = (xs?: number[]) => (xs && row0(xs) ? `${Math.min(...xs).toFixed(1)} / ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1)}` : "—");
  console.log(`\n| target | GLB MB | texture GPU MB | encode s (median of ${runs}) | validator errors / warnings | PSNR vs source, head pixels, 5 views (dB), min / mean: Babylon | three.js |`);
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of rows) {
    console.log(`| ${r.target} | ${mb(r.bytes)} | ${mb(r.gpuBytes)} | ${(r.encodeMs / 1000).toFixed(2)} | ${r.errors} / ${r.warnings}${r.ktx2Unknown ? ` (+${r.ktx2Unknown} "KTX2 unknown")` : ""} | ${range(r.psnr)} | ${range(r.psnrThree)} |`);
  }
  console.log(`(${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}; GPU memory = RGBA8 + mips of every texture as decoded)`);
}
