/**
 * The shading pass over a visibility buffer: a shader is called once per covered pixel with the
 * triangle and its barycentric weights, and writes that pixel's channels. `interpolate` reads a
 * per-vertex attribute at those weights.
 */
import type { ColorSpace, ImageF32 } from "../types.ts";
import type { TriangleIds } from "../raster/rasterize.ts";

/** Per-pixel shading hook. */
export interface Shader {
  /** Channels the shader writes per pixel. */
  channels: number;
  /**
   * Writes the pixel's value into `out[0 .. channels)`.
   * @param triangle triangle index; @param b0..b2 its vertices' weights (sum 1); @param pixel index j·width + i.
   */
  shade(triangle: number, b0: number, b1: number, b2: number, pixel: number, out: Float32Array): void;
}

/**
 * Interpolates a per-vertex attribute (`stride` numbers per vertex) over triangle `triangle` of
 * `indices` at weights (b0, b1, b2) into `out[offset ..]`.
 */
export function interpolate(
  attribute: ArrayLike<number>,
  stride: number,
  indices: Uint32Array,
  triangle: number,
  b0: number,
  b1: number,
  b2: number,
  out: Float32Array | Float64Array,
  offset = 0,
): void {
  const v0 = indices[3 * triangle] * stride;
  const v1 = indices[3 * triangle + 1] * stride;
  const v2 = indices[3 * triangle + 2] * stride;
  for (let c = 0; c < stride; c++) {
    out[offset + c] = b0 * attribute[v0 + c] + b1 * attribute[v1 + c] + b2 * attribute[v2 + c];
  }
}

/**
 * Runs `shader` on every covered pixel of `frags`; uncovered pixels get `background` (one value
 * per channel, zeros by default).
 *
 *   const image = shadeFragments(frags, { channels: 1, shade: (t, b0, b1, b2, p, out) => { out[0] = 1; } }, "data");
 */
export function shadeFragments(frags: TriangleIds, shader: Shader, colorSpace: ColorSpace, background?: ArrayLike<number>): ImageF32 {
  const { width, height, triangle, b1, b2 } = frags;
  const C = shader.channels;
  const data = new Float32Array(width * height * C);
  const px = new Float32Array(C);
  for (let p = 0; p < width * height; p++) {
    const t = triangle[p];
    if (t < 0) {
      if (background) for (let c = 0; c < C; c++) data[p * C + c] = background[c];
      continue;
    }
    const w1 = b1[p], w2 = b2[p];
    shader.shade(t, 1 - w1 - w2, w1, w2, p, px);
    for (let c = 0; c < C; c++) data[p * C + c] = px[c];
  }
  return { width, height, channels: C, data, colorSpace };
}

/** Box-filters an image down by an integer factor (supersampling resolve). */
export function downsample(image: ImageF32, factor: number): ImageF32 {
  if (factor === 1) return image;
  const W = Math.floor(image.width / factor), H = Math.floor(image.height / factor), C = image.channels;
  const out = new Float32Array(W * H * C);
  const norm = 1 / (factor * factor);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let dy = 0; dy < factor; dy++) {
          const row = ((y * factor + dy) * image.width + x * factor) * C + c;
          for (let dx = 0; dx < factor; dx++) s += image.data[row + dx * C];
        }
        out[(y * W + x) * C + c] = s * norm;
      }
    }
  }
  return { width: W, height: H, channels: C, data: out, colorSpace: image.colorSpace };
}

