/**
 * A small job output for the Editor plugin's tests, made by the pipeline's package stage
 * (src/pipeline/package.ts): a head (a 9 cm sphere) with two eyeballs and small maps, giving
 * head.glb, head.babylon, material.json, report.json and maps/*.png as a real job does.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { packageOutputs } from "../../src/pipeline/package.ts";
import type { HeadPart, ImageF32, Mesh, OutputFile } from "../../src/types.ts";

interface Sphere {
  center: [number, number, number];
  radius: number;
  rings: number;
  segments: number;
}

/** A UV sphere with glTF-convention UVs (origin top-left) and tangents along +u. */
function sphereMesh(spheres: Sphere[]): { mesh: Mesh; counts: number[] } {
  const pos: number[] = [];
  const nrm: number[] = [];
  const tan: number[] = [];
  const uv: number[] = [];
  const idx: number[] = [];
  const counts: number[] = [];
  for (const s of spheres) {
    const { rings, segments } = s;
    const base = pos.length / 3;
    const before = idx.length;
    for (let r = 0; r <= rings; r++) {
      const theta = (r / rings) * Math.PI;
      for (let k = 0; k <= segments; k++) {
        const phi = (k / segments) * 2 * Math.PI;
        const n = [Math.sin(theta) * Math.sin(phi), Math.cos(theta), Math.sin(theta) * Math.cos(phi)];
        pos.push(s.center[0] + s.radius * n[0], s.center[1] + s.radius * n[1], s.center[2] + s.radius * n[2]);
        nrm.push(n[0], n[1], n[2]);
        tan.push(Math.cos(phi), 0, -Math.sin(phi), 1);
        uv.push(k / segments, r / rings);
      }
    }
    for (let r = 0; r < rings; r++) {
      for (let k = 0; k < segments; k++) {
        const a = base + r * (segments + 1) + k;
        const b = a + segments + 1;
        idx.push(a, b, a + 1, a + 1, b, b + 1);
      }
    }
    counts.push(idx.length - before);
  }
  const mesh: Mesh = {
    positions: new Float32Array(pos),
    normals: new Float32Array(nrm),
    tangents: new Float32Array(tan),
    uvs: new Float32Array(uv),
    indices: new Uint32Array(idx),
  };
  return { mesh, counts };
}

function flat(width: number, height: number, value: number[], colorSpace: ImageF32["colorSpace"]): ImageF32 {
  const data = new Float32Array(width * height * value.length);
  for (let i = 0; i < width * height; i++) data.set(value, i * value.length);
  return { width, height, channels: value.length, data, colorSpace };
}

/** The job's outputs as the pipeline returns them (names relative to the job folder), made by the package stage. */
export async function makeTestJobFiles(): Promise<OutputFile[]> {
  const { mesh, counts } = sphereMesh([
    { center: [0, 0, 0], radius: 0.09, rings: 12, segments: 16 },
    { center: [0.032, 0.03, 0.075], radius: 0.012, rings: 6, segments: 8 },
    { center: [-0.032, 0.03, 0.075], radius: 0.012, rings: 6, segments: 8 },
  ]);
  const partNames: HeadPart[] = ["skin", "eyeLeft", "eyeRight"];
  let first = 0;
  const parts = counts.map((indexCount, i) => {
    const p = { part: partNames[i], firstIndex: first, indexCount };
    first += indexCount;
    return p;
  });
  const w = 16;
  const h = 24;
  const thin = flat(w, h, [0], "data");
  for (let y = 8; y < 12; y++) thin.data.fill(1, y * w, y * w + 3); // an "ear" strip
  return packageOutputs({
    mesh,
    parts,
    maps: {
      albedoDiffuse: flat(w, h, [0.72, 0.52, 0.44], "srgb"),
      albedoSpecular: flat(w, h, [0.5], "linear"),
      normalsDiffuse: flat(w, h, [0, 0, 1], "data"),
      normalsSpecular: flat(w, h, [0.05, 0, 0.9987], "data"),
      photoTexture: flat(w, h, [0.8, 0.6, 0.5], "srgb"),
      thinMask: thin,
      // The smile's wrinkle map (a uniform tilt: only its path through the plugin matters here).
      wrinkleNormals: flat(w, h, [0.3, 0, 0.9539], "data"),
      // A debug map, as real jobs write (the plugin keeps these out of assets/).
      debug: [{ name: "confidence", image: flat(w, h, [0.5], "data"), bitDepth: 8 }],
    },
    parameters: { roughnessBase: 0.7 },
    report: { test: "plugin fixture" },
  });
}

/** Writes the files into `dir` (created). */
export async function writeJobFiles(dir: string, files: OutputFile[]): Promise<void> {
  for (const f of files) {
    const path = join(dir, ...f.name.split("/"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.bytes);
  }
}
