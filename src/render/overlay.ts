/**
 * A fitted mesh drawn over its photo: plain-light shading blended onto the photo, plus optional
 * point sets as dots (e.g. the photo's landmarks and the fitted head's landmark vertices). For
 * looking at a fit, not for measuring it.
 */
import type { Camera, HeadPart, ImageF32, Mesh } from "../types.ts";
import { renderPreview } from "./preview.ts";

export interface OverlayOptions {
  /** Opacity of the shaded mesh over the photo, 0..1. */
  opacity?: number;
  /** Triangle ranges per part, for part colours. */
  parts?: { part: HeadPart; firstIndex: number; indexCount: number }[];
  /** Dots to draw: pixel positions (x, y pairs), sRGB colour, radius in pixels. */
  dots?: { points: ArrayLike<number>; color: [number, number, number]; radius: number }[];
}

/**
 * Returns a copy of `photo` (sRGB, 3 channels) with the mesh seen by `camera` blended over it.
 *
 *   const image = renderOverlay(capture.image, result.mesh, result.camera, { opacity: 0.5 });
 */
export function renderOverlay(photo: ImageF32, mesh: Mesh, camera: Camera, options: OverlayOptions = {}): ImageF32 {
  const { width: W, height: H } = photo;
  if (photo.channels !== 3) throw new Error(`renderOverlay: the photo must have 3 channels, got ${photo.channels}`);
  const opacity = options.opacity ?? 0.55;
  // A background no shading produces marks the uncovered pixels.
  const shaded = renderPreview(mesh, { ...camera, width: W, height: H }, { supersample: 1, parts: options.parts ?? [], background: [-1, -1, -1] });
  const out = Float32Array.from(photo.data);
  for (let p = 0; p < W * H; p++) {
    if (shaded.data[3 * p] < 0) continue;
    for (let c = 0; c < 3; c++) out[3 * p + c] = (1 - opacity) * photo.data[3 * p + c] + opacity * shaded.data[3 * p + c];
  }
  for (const set of options.dots ?? []) {
    const r = Math.max(0.5, set.radius);
    for (let i = 0; i + 1 < set.points.length; i += 2) {
      const x = set.points[i], y = set.points[i + 1];
      for (let py = Math.max(0, Math.floor(y - r)); py <= Math.min(H - 1, Math.ceil(y + r)); py++) {
        for (let px = Math.max(0, Math.floor(x - r)); px <= Math.min(W - 1, Math.ceil(x + r)); px++) {
          if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 > r * r) continue;
          out.set(set.color, 3 * (py * W + px));
        }
      }
    }
  }
  return { width: W, height: H, channels: 3, data: out, colorSpace: "srgb" };
}
