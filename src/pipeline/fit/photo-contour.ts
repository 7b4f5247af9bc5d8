/**
 * The head's outline in the photo, as fit's silhouette term reads it: the boundary of the person
 * segmentation against the background, snapped to the strongest colour edge within the mask's own
 * uncertainty, and trusted only where skin (or, in the beard zone, facial hair) lies just inside it
 * and background just outside. Hair, hands, phones, the image border and a soft mask give no
 * evidence: there the outline is not the head's.
 *
 * The photo is read along lines: from a point of the model's projected silhouette, along its 2D
 * outward normal (ICP-style pairing along the normal), so the cost is a few hundred samples per
 * point whatever the photo's size.
 */
import { colourModel, distance2, likeness, shadedSigma, tightSigma, toYcc, twoClass, type Model } from "../capture/masks.ts";
import type { FaceMasks, ImageF32 } from "../../types.ts";

/** What the contour search reads: the photo (sRGB, 3 channels) and capture's masks. */
export interface ContourSource {
  image: ImageF32;
  masks: FaceMasks;
}

/** Colour models of the face's skin and facial hair, from the pixels capture's masks are sure of. */
export interface OutlineColours {
  skin: Model;
  skinSigma: number[];
  /** Absent when the photo has too little facial hair to model. */
  beard?: Model;
  beardSigma?: number[];
  /** Scalp hair, when the photo has hair of its own colour (light-brown hair shares skin's chroma: told apart by both models, as capture does). */
  hair?: Model;
}

/** One point of the photo's outline found from a model silhouette point. */
export interface ContourMatch {
  /** Signed distance from the model point to the outline along its outward normal, pixels (> 0: the photo's head is wider). */
  offsetPx: number;
  /** 0..1: how far the outline is the head's own (mask certainty × not hair or occluder × skin-coloured inside). */
  trust: number;
}

/** Pixels sampled per mask or image read along a search line. */
const STEP_PX = 0.5;
/** Fewest pixels a colour model is built from. */
const MIN_MODEL_PIXELS = 50;
/** Pixels a colour model samples at most (an even subsample beyond). */
const MAX_MODEL_PIXELS = 20000;

/** Bilinear read of a 1-channel mask at photo pixel (x, y) (masks may be stored at another size than the photo). */
export function maskAt(m: ImageF32, photoW: number, photoH: number, x: number, y: number): number {
  const u = (x * m.width) / photoW - 0.5, v = (y * m.height) / photoH - 0.5;
  const i = Math.floor(u), j = Math.floor(v);
  const a = u - i, b = v - j;
  const at = (p: number, q: number) => (p >= 0 && q >= 0 && p < m.width && q < m.height ? m.data[q * m.width + p] : 0);
  return (1 - b) * ((1 - a) * at(i, j) + a * at(i + 1, j)) + b * ((1 - a) * at(i, j + 1) + a * at(i + 1, j + 1));
}

/** Bilinear read of the photo's colour at (x, y) into out (sRGB 0..1), clamped at the border. */
function colourAt(img: ImageF32, x: number, y: number, out: Float32Array): void {
  const W = img.width, H = img.height;
  const u = Math.min(W - 1, Math.max(0, x - 0.5)), v = Math.min(H - 1, Math.max(0, y - 0.5));
  const i = Math.min(W - 2, Math.floor(u)), j = Math.min(H - 2, Math.floor(v));
  const a = u - i, b = v - j;
  for (let c = 0; c < 3; c++) {
    const p = (q: number, r: number) => img.data[3 * (r * W + q) + c];
    out[c] = (1 - b) * ((1 - a) * p(i, j) + a * p(i + 1, j)) + b * ((1 - a) * p(i, j + 1) + a * p(i + 1, j + 1));
  }
}

/** Skin and facial-hair colour models from the pixels the masks hold at ≥ 0.9 (skin) and ≥ 0.5 (facial hair). */
export function outlineColours(src: ContourSource): OutlineColours | undefined {
  const { image, masks } = src;
  const model = (m: ImageF32 | undefined, floor: number) => {
    if (!m) return undefined;
    const picked: number[] = [];
    for (let p = 0; p < m.width * m.height; p++) if (m.data[p] >= floor) picked.push(p);
    if (picked.length < MIN_MODEL_PIXELS) return undefined;
    const stride = Math.max(1, Math.floor(picked.length / MAX_MODEL_PIXELS));
    const ids = picked.filter((_, k) => k % stride === 0);
    const ycc = new Float32Array(ids.length * 3);
    const rgb = new Float32Array(3);
    ids.forEach((p, k) => {
      // Mask pixel centre → photo pixel.
      colourAt(image, (((p % m.width) + 0.5) * image.width) / m.width, ((Math.floor(p / m.width) + 0.5) * image.height) / m.height, rgb);
      toYcc(rgb, 0, ycc, 3 * k);
    });
    return colourModel(ycc, ids.map((_, k) => k));
  };
  const skin = model(masks.skin, 0.9);
  if (!skin) return undefined;
  const beard = model(masks.facialHair, 0.5);
  return { skin, skinSigma: shadedSigma(skin), beard, beardSigma: beard && shadedSigma(beard), hair: model(masks.hair, 0.9) };
}

export interface ContourSearch {
  /** Farthest the outline may be from the model point along the normal, pixels. */
  rangePx: number;
  /** Depth of the band just inside and outside the outline that decides what borders it, pixels. */
  bandPx: number;
  /** Half-width of the window in which the mask's boundary snaps to the strongest colour edge, pixels. */
  snapPx: number;
  /** Facial hair counts as the head's own outline here (the beard zone). */
  beardZone: boolean;
}

/**
 * Looks along the outward normal (nx, ny) (unit, pixels, y down) from photo point (x, y) for the
 * person mask's inside→outside boundary nearest the point, within ±rangePx; undefined when there is
 * none or it touches the image border.
 */
export function matchOutline(src: ContourSource, colours: OutlineColours, x: number, y: number, nx: number, ny: number, s: ContourSearch): ContourMatch | undefined {
  const { image, masks } = src;
  const person = masks.person;
  if (!person) return undefined;
  const W = image.width, H = image.height;
  const p = (t: number) => maskAt(person, W, H, x + t * nx, y + t * ny);
  // 1. The mask's boundary: the 0.5 crossing (inside → outside, outward) nearest the point.
  const steps = Math.ceil(s.rangePx / STEP_PX);
  let best: number | undefined;
  let prev = p(-steps * STEP_PX);
  for (let k = -steps + 1; k <= steps; k++) {
    const cur = p(k * STEP_PX);
    if (prev >= 0.5 && cur < 0.5) {
      const t = (k - 1 + (prev - 0.5) / (prev - cur)) * STEP_PX;
      if (best === undefined || Math.abs(t) < Math.abs(best)) best = t;
    }
    prev = cur;
  }
  if (best === undefined) return undefined;
  // 2. The head cut by the frame is not its outline.
  const ex = x + best * nx, ey = y + best * ny;
  const margin = s.bandPx;
  if (ex < margin || ey < margin || ex > W - margin || ey > H - margin) return undefined;
  // 3. Certainty: a clean step from person to background across the band (linear in the contrast, 0 at half).
  const certainty = Math.max(0, Math.min(1, 2 * (p(best - s.bandPx) - p(best + s.bandPx)) - 1));
  if (certainty === 0) return undefined;
  // 4. What borders it inside: hair or an occluder → no evidence; skin (or beard) colour → evidence.
  let covered = 0;
  const rgb = new Float32Array(3), ycc = new Float32Array(3), mean = new Float32Array(3);
  const depths = [0.5, 1, 1.5];
  for (const f of depths) {
    const ix = x + (best - f * s.bandPx) * nx, iy = y + (best - f * s.bandPx) * ny;
    covered = Math.max(covered, maskAt(masks.hair, W, H, ix, iy), maskAt(masks.occluder, W, H, ix, iy));
    colourAt(image, ix, iy, rgb);
    for (let c = 0; c < 3; c++) mean[c] += rgb[c] / depths.length;
  }
  toYcc(mean, 0, ycc, 0);
  let own = likeness(distance2(ycc, 0, colours.skin, colours.skinSigma));
  if (colours.hair) own *= twoClass(ycc, 0, colours.skin, tightSigma(colours.skin), colours.hair, tightSigma(colours.hair));
  if (s.beardZone && colours.beard) own = Math.max(own, likeness(distance2(ycc, 0, colours.beard, colours.beardSigma!)));
  const trust = certainty * (1 - covered) * own;
  if (!(trust > 0)) return undefined;
  // 5. Snap to the strongest colour edge within the mask's uncertainty (the mask is coarser than the photo).
  return { offsetPx: snapToEdge(image, x, y, nx, ny, best, s.snapPx), trust };
}

/**
 * The position along the line (pixels from (x, y)) of the largest colour gradient within ±snapPx of
 * `t0`, or t0 when the largest lies on the window's end (no edge inside it).
 */
function snapToEdge(image: ImageF32, x: number, y: number, nx: number, ny: number, t0: number, snapPx: number): number {
  const n = Math.max(2, Math.ceil(snapPx / STEP_PX));
  const samples: Float32Array[] = [];
  for (let k = -n - 1; k <= n + 1; k++) {
    const c = new Float32Array(3);
    colourAt(image, x + (t0 + k * STEP_PX) * nx, y + (t0 + k * STEP_PX) * ny, c);
    samples.push(c);
  }
  let bestK = 0, bestG = -1;
  for (let k = 1; k < samples.length - 1; k++) {
    const a = samples[k - 1], b = samples[k + 1];
    const g = (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
    if (g > bestG) (bestG = g), (bestK = k);
  }
  if (bestK === 1 || bestK === samples.length - 2) return t0;
  return t0 + (bestK - n - 1) * STEP_PX;
}
