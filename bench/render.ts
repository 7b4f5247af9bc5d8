/**
 * Renderer speed: 1024² plain-light previews of the template head and of a 50k-triangle sphere,
 * median of several runs.
 *
 *   node --import tsx bench/render.ts
 */
import { lookAtCamera, projectToScreen } from "../src/render/camera.ts";
import { createFragments, rasterize, rasterizeUv } from "../src/raster/rasterize.ts";
import { renderPreview } from "../src/render/preview.ts";
import { computeNormals, computeTangents } from "../src/geometry/mesh-utils.ts";
import type { Mesh } from "../src/types.ts";
import { median } from "./timing.ts";

function sphere(rings: number, segments: number): Mesh {
  const pos: number[] = [], uv: number[] = [], idx: number[] = [];
  for (let i = 0; i <= rings; i++) {
    for (let j = 0; j <= segments; j++) {
      const th = (Math.PI * i) / rings, ph = (2 * Math.PI * j) / segments;
      pos.push(0.1 * Math.sin(th) * Math.sin(ph), 0.1 * Math.cos(th), 0.1 * Math.sin(th) * Math.cos(ph));
      uv.push(j / segments, i / rings);
    }
  }
  const at = (i: number, j: number) => i * (segments + 1) + j;
  for (let i = 0; i < rings; i++) for (let j = 0; j < segments; j++) idx.push(at(i, j), at(i + 1, j), at(i, j + 1), at(i, j + 1), at(i + 1, j), at(i + 1, j + 1));
  const positions = new Float32Array(pos), indices = new Uint32Array(idx), uvs = new Float32Array(uv);
  const normals = computeNormals(positions, indices);
  return { positions, indices, uvs, normals, tangents: computeTangents(positions, normals, uvs, indices) };
}

async function loadMeshes(): Promise<{ name: string; mesh: Mesh }[]> {
  const { buildTemplateHead } = await import("../src/geometry/template-head.ts");
  return [
    { name: "template head", mesh: buildTemplateHead().mesh },
    { name: "sphere, 50k triangles", mesh: sphere(125, 200) },
  ];
}


for (const { name, mesh } of await loadMeshes()) {
  const tris = mesh.indices.length / 3;
  const camera = lookAtCamera({ eye: [0, 0.0, 0.9], target: [0, -0.02, 0], fovYDeg: 22, width: 1024, height: 1024 });
  const runs = 7;
  const times = { raster: [] as number[], preview1: [] as number[], preview2: [] as number[], uv: [] as number[] };
  for (let r = 0; r < runs; r++) {
    let t0 = performance.now();
    const frags = createFragments(1024, 1024);
    rasterize(frags, projectToScreen(camera, mesh.positions), mesh.indices, { cull: "back" });
    times.raster.push(performance.now() - t0);
    t0 = performance.now();
    renderPreview(mesh, camera, { supersample: 1 });
    times.preview1.push(performance.now() - t0);
    t0 = performance.now();
    renderPreview(mesh, camera, { supersample: 2 });
    times.preview2.push(performance.now() - t0);
    t0 = performance.now();
    rasterizeUv(mesh.uvs, mesh.indices, 1024, 1536);
    times.uv.push(performance.now() - t0);
  }
  const report = {
    mesh: name,
    triangles: tris,
    runs,
    medianMs: {
      "visibility 1024²": +median(times.raster).toFixed(1),
      "preview 1024² (no AA)": +median(times.preview1).toFixed(1),
      "preview 1024² (2×2 supersampled)": +median(times.preview2).toFixed(1),
      "UV raster 1024×1536": +median(times.uv).toFixed(1),
    },
  };
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
}
