/**
 * The head's geometry at each covered texel of the atlas: position, normal, tangent frame, depth
 * and the texel's size on the surface, interpolated from the triangle that covers the texel.
 */
import type { ImageF32, Mesh } from "../../types.ts";
import type { TriangleIds } from "../../raster/rasterize.ts";

export interface AtlasGeometry {
  position: ImageF32;
  normalsObject: ImageF32;
  tangentsObject: ImageF32;
  normalsTangent: ImageF32;
  depth: ImageF32;
  texelSizeMm: ImageF32;
  medianTexelSizeMm: number;
  coveredCount: number;
}

function blank(width: number, height: number, channels: number): ImageF32 {
  return { width, height, channels, colorSpace: "data", data: new Float32Array(width * height * channels) };
}

/** Interpolates the mesh's attributes at every texel the id buffer covers (gutters stay 0). */
export function atlasGeometry(mesh: Mesh, ids: TriangleIds): AtlasGeometry {
  const { width: W, height: H } = ids;
  const position = blank(W, H, 3);
  const normalsObject = blank(W, H, 3);
  const tangentsObject = blank(W, H, 4);
  const normalsTangent = blank(W, H, 3);
  const depth = blank(W, H, 1);
  const texelSizeMm = blank(W, H, 1);
  const P = mesh.positions, Nv = mesh.normals, Tv = mesh.tangents, idx = mesh.indices;

  let frontZ = -Infinity;
  for (let v = 2; v < P.length; v += 3) frontZ = Math.max(frontZ, P[v]);
  const triangleSize = triangleTexelSizeMm(mesh, W, H);

  const sizes: number[] = [];
  let covered = 0;
  for (let p = 0; p < W * H; p++) {
    const t = ids.triangle[p];
    if (t < 0) continue;
    covered++;
    const a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2];
    const w1 = ids.b1[p], w2 = ids.b2[p], w0 = 1 - w1 - w2;
    let nx = 0, ny = 0, nz = 0;
    for (let k = 0; k < 3; k++) {
      position.data[3 * p + k] = w0 * P[3 * a + k] + w1 * P[3 * b + k] + w2 * P[3 * c + k];
    }
    nx = w0 * Nv[3 * a] + w1 * Nv[3 * b] + w2 * Nv[3 * c];
    ny = w0 * Nv[3 * a + 1] + w1 * Nv[3 * b + 1] + w2 * Nv[3 * c + 1];
    nz = w0 * Nv[3 * a + 2] + w1 * Nv[3 * b + 2] + w2 * Nv[3 * c + 2];
    const nl = Math.hypot(nx, ny, nz) || 1;
    normalsObject.data[3 * p] = nx / nl;
    normalsObject.data[3 * p + 1] = ny / nl;
    normalsObject.data[3 * p + 2] = nz / nl;
    const tx = w0 * Tv[4 * a] + w1 * Tv[4 * b] + w2 * Tv[4 * c];
    const ty = w0 * Tv[4 * a + 1] + w1 * Tv[4 * b + 1] + w2 * Tv[4 * c + 1];
    const tz = w0 * Tv[4 * a + 2] + w1 * Tv[4 * b + 2] + w2 * Tv[4 * c + 2];
    const tw = w0 * Tv[4 * a + 3] + w1 * Tv[4 * b + 3] + w2 * Tv[4 * c + 3];
    const tl = Math.hypot(tx, ty, tz) || 1;
    tangentsObject.data[4 * p] = tx / tl;
    tangentsObject.data[4 * p + 1] = ty / tl;
    tangentsObject.data[4 * p + 2] = tz / tl;
    tangentsObject.data[4 * p + 3] = tw < 0 ? -1 : 1;
    // The GLB carries this very mesh with these normals and tangents, and a glTF shader rebuilds
    // the normal as T·x + B·y + N·z: the mesh's own normal is therefore exactly (0, 0, 1) in
    // tangent space. Surface detail enters through ρ (specular normals), not here.
    normalsTangent.data[3 * p + 2] = 1;
    depth.data[p] = frontZ - position.data[3 * p + 2];
    texelSizeMm.data[p] = triangleSize[t];
    sizes.push(triangleSize[t]);
  }
  sizes.sort((x, y) => x - y);
  const medianTexelSizeMm = sizes.length ? sizes[sizes.length >> 1] : 0;
  return { position, normalsObject, tangentsObject, normalsTangent, depth, texelSizeMm, medianTexelSizeMm, coveredCount: covered };
}

/** Surface size of one texel per triangle, mm: √(world area / texel area). */
function triangleTexelSizeMm(mesh: Mesh, W: number, H: number): Float32Array {
  const P = mesh.positions, UV = mesh.uvs, idx = mesh.indices;
  const out = new Float32Array(idx.length / 3);
  for (let t = 0; t < out.length; t++) {
    const a = idx[3 * t], b = idx[3 * t + 1], c = idx[3 * t + 2];
    const ex = P[3 * b] - P[3 * a], ey = P[3 * b + 1] - P[3 * a + 1], ez = P[3 * b + 2] - P[3 * a + 2];
    const fx = P[3 * c] - P[3 * a], fy = P[3 * c + 1] - P[3 * a + 1], fz = P[3 * c + 2] - P[3 * a + 2];
    const world = 0.5 * Math.hypot(ey * fz - ez * fy, ez * fx - ex * fz, ex * fy - ey * fx);
    const u1 = (UV[2 * b] - UV[2 * a]) * W, v1 = (UV[2 * b + 1] - UV[2 * a + 1]) * H;
    const u2 = (UV[2 * c] - UV[2 * a]) * W, v2 = (UV[2 * c + 1] - UV[2 * a + 1]) * H;
    const texels = 0.5 * Math.abs(u1 * v2 - u2 * v1);
    out[t] = texels > 0 ? 1000 * Math.sqrt(world / texels) : 0;
  }
  return out;
}

/** Interpolates a per-vertex attribute (`channels` per vertex) at every covered texel; gutters stay 0. */
export function interpolateVertexAttribute(values: Float32Array, channels: number, indices: Uint32Array, ids: TriangleIds): ImageF32 {
  const out = blank(ids.width, ids.height, channels);
  for (let p = 0; p < ids.triangle.length; p++) {
    const t = ids.triangle[p];
    if (t < 0) continue;
    const a = indices[3 * t] * channels, b = indices[3 * t + 1] * channels, c = indices[3 * t + 2] * channels;
    const w1 = ids.b1[p], w2 = ids.b2[p], w0 = 1 - w1 - w2;
    for (let k = 0; k < channels; k++) out.data[p * channels + k] = w0 * values[a + k] + w1 * values[b + k] + w2 * values[c + k];
  }
  return out;
}
