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
  /** Median relative fine contrast of the face's sure skin (see fineContrast): skin at the scalp's outline is as smooth, hair is strands. */
  skinContrast: number;
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

/** Colour models already built per masks object (and the photo they were read from): fit's outline readers (silhouette, head outline, ears) read the same ones. */
const builtColours = new WeakMap<FaceMasks, { image: ImageF32; colours: OutlineColours | undefined }>();

/** Skin and facial-hair colour models from the pixels the masks hold at ≥ 0.9 (skin) and ≥ 0.5 (facial hair). */
export function outlineColours(src: ContourSource): OutlineColours | undefined {
  const built = builtColours.get(src.masks);
  if (built?.image === src.image) return built.colours;
  const colours = buildOutlineColours(src);
  builtColours.set(src.masks, { image: src.image, colours });
  return colours;
}

function buildOutlineColours(src: ContourSource): OutlineColours | undefined {
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
  return { skin, skinSigma: shadedSigma(skin), beard, beardSigma: beard && shadedSigma(beard), hair: model(masks.hair, 0.9), skinContrast: skinFineContrast(src) };
}

/**
 * Relative fine contrast at photo pixel (x, y): mean |∇L| / (L + 0.02) over the 3×3 pixels round
 * it (L luma). Hair is strands and the gaps between them, skin is smooth at a pixel's scale, so
 * light hair that shares skin's colour (and its mask) still reads apart (as capture/strand-texture.ts
 * tells a fringe from the forehead).
 */
export function fineContrast(image: ImageF32, x: number, y: number): number {
  const W = image.width, H = image.height, d = image.data;
  const L = (i: number, j: number) => {
    const p = 3 * (Math.min(H - 1, Math.max(0, j)) * W + Math.min(W - 1, Math.max(0, i)));
    return 0.299 * d[p] + 0.587 * d[p + 1] + 0.114 * d[p + 2];
  };
  const cx = Math.floor(x), cy = Math.floor(y);
  let sum = 0;
  for (let j = cy - 1; j <= cy + 1; j++) for (let i = cx - 1; i <= cx + 1; i++) sum += Math.hypot(L(i + 1, j) - L(i - 1, j), L(i, j + 1) - L(i, j - 1)) / 2 / (L(i, j) + 0.02);
  return sum / 9;
}

/** Median fine contrast over (a subsample of) the pixels the skin mask is sure of. */
function skinFineContrast(src: ContourSource): number {
  const m = src.masks.skin, img = src.image;
  const picked: number[] = [];
  for (let p = 0; p < m.width * m.height; p++) if (m.data[p] >= 0.9) picked.push(p);
  const stride = Math.max(1, Math.floor(picked.length / 2000));
  const values = picked.filter((_, k) => k % stride === 0).map((p) => fineContrast(img, (((p % m.width) + 0.5) * img.width) / m.width, ((Math.floor(p / m.width) + 0.5) * img.height) / m.height)).sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)] ?? 0;
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

/** Where the person mask's outline crosses a search line, and how clean its step is. */
export interface OutlineCrossing {
  /** Distance from the search point to the outline along the outward normal, pixels (mask resolution, before snapping). */
  t: number;
  /** 0..1: a clean step from person to background across the band (linear in the contrast, 0 at half). */
  certainty: number;
}

/**
 * Looks along the outward normal (nx, ny) (unit, pixels, y down) from photo point (x, y) for the
 * person mask's inside→outside boundary nearest the point, within ±rangePx; undefined when there is
 * none, it touches the image border, or the step is not clean.
 */
export function personOutline(src: ContourSource, x: number, y: number, nx: number, ny: number, s: Pick<ContourSearch, "rangePx" | "bandPx"> & { outermost?: boolean; stepBandPx?: number }): OutlineCrossing | undefined {
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
      // The nearest crossing, or with `outermost` the farthest out (an ear's lobe beyond a gap of background beside the jaw).
      if (best === undefined || (s.outermost ? t > best : Math.abs(t) < Math.abs(best))) best = t;
    }
    prev = cur;
  }
  if (best === undefined) return undefined;
  // 2. The head cut by the frame is not its outline.
  const ex = x + best * nx, ey = y + best * ny;
  const margin = s.bandPx;
  if (ex < margin || ey < margin || ex > W - margin || ey > H - margin) return undefined;
  // 3. Certainty: a clean step from person to background across the band.
  // (Over `stepBandPx` where the mask is known to fall off more softly, as across an ear.)
  const step = s.stepBandPx ?? s.bandPx;
  const certainty = Math.max(0, Math.min(1, 2 * (p(best - step) - p(best + step)) - 1));
  return certainty > 0 ? { t: best, certainty } : undefined;
}

/**
 * The head's own outline along a search line (see personOutline), trusted where skin (or, in the
 * beard zone, facial hair) borders it inside; undefined where hair or an occluder does.
 */
export function matchOutline(src: ContourSource, colours: OutlineColours, x: number, y: number, nx: number, ny: number, s: ContourSearch): ContourMatch | undefined {
  const { image, masks } = src;
  const W = image.width, H = image.height;
  const found = personOutline(src, x, y, nx, ny, s);
  if (!found) return undefined;
  const { t: best, certainty } = found;
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

/** The outline above the ears, where hair may lie between it and the scalp. */
export interface ScalpOutline {
  /** Signed distance from the model point to the outline along its outward normal, pixels (> 0: the photo's outline is wider). */
  offsetPx: number;
  /** 0..1: how clean the person mask's step is there. */
  certainty: number;
  /**
   * Pixels from the outline inward to the first skin along the line: 0 where skin borders the
   * outline (a bald or shaven scalp), Infinity where no skin lies within reach (hair all the way).
   * The scalp's own outline lies within this band: skin seen further in is on the skull's near side.
   */
  hairBandPx: number;
}

/**
 * Fine contrast up to this multiple of the face skin's median still reads as skin (shape choice:
 * hair strands measure 3–9× on our photos, pores and shading about 1×).
 */
const SKIN_CONTRAST_MAX = 2;

/** Skin at (x, y): the face's skin mask or skin beyond the oval (temples), not hair, as smooth as the face's skin and of its colour (light hair shares skin's mask, often its colour). */
function skinAt(src: ContourSource, colours: OutlineColours, x: number, y: number): boolean {
  const { image, masks } = src;
  const W = image.width, H = image.height;
  const skin = Math.max(maskAt(masks.skin, W, H, x, y), masks.skinBeyondOval ? maskAt(masks.skinBeyondOval, W, H, x, y) : 0);
  if (!(skin >= 0.5 && maskAt(masks.hair, W, H, x, y) < 0.5 && fineContrast(image, x, y) <= SKIN_CONTRAST_MAX * colours.skinContrast)) return false;
  // And the face skin's own colour within its tight spread (grey and white hair is smooth and skin-masked, but not skin-coloured).
  const rgb = new Float32Array(3), ycc = new Float32Array(3);
  colourAt(image, x, y, rgb);
  toYcc(rgb, 0, ycc, 0);
  return likeness(distance2(ycc, 0, colours.skin, tightSigma(colours.skin))) >= 0.5;
}

/**
 * The person's outline along a search line over the scalp, and what lies inside it: skin (the
 * scalp's own edge), or hair (the scalp lies somewhere within the hair band): hair-masked pixels of
 * the photo's own hair colour, or skin-masked pixels with hair's strand texture. An occluder, or
 * anything else there (a hat, a hand) gives no evidence (undefined). `reachPx` bounds the inward
 * walk to the first skin.
 */
export function readScalpOutline(src: ContourSource, colours: OutlineColours, x: number, y: number, nx: number, ny: number, s: Pick<ContourSearch, "rangePx" | "bandPx" | "snapPx"> & { reachPx: number; outermost?: boolean; stepBandPx?: number }): ScalpOutline | undefined {
  const { image, masks } = src;
  const W = image.width, H = image.height;
  const found = personOutline(src, x, y, nx, ny, s);
  if (!found) return undefined;
  const at = (t: number): [number, number] => [x + t * nx, y + t * ny];
  // What borders the outline inside: skin, hair, an occluder, and the band's mean colour.
  let occluded = 0, skin = 0, hair = 0, textured = 0;
  const rgb = new Float32Array(3), mean = new Float32Array(3), ycc = new Float32Array(3);
  const depths = [0.5, 1, 1.5];
  for (const f of depths) {
    const [ix, iy] = at(found.t - f * s.bandPx);
    occluded = Math.max(occluded, maskAt(masks.occluder, W, H, ix, iy));
    skin += (skinAt(src, colours, ix, iy) ? 1 : 0) / depths.length;
    hair += maskAt(masks.hair, W, H, ix, iy) / depths.length;
    textured += (fineContrast(image, ix, iy) > SKIN_CONTRAST_MAX * colours.skinContrast ? 1 : 0) / depths.length;
    colourAt(image, ix, iy, rgb);
    for (let c = 0; c < 3; c++) mean[c] += rgb[c] / depths.length;
  }
  toYcc(mean, 0, ycc, 0);
  if (occluded >= 0.5) return undefined;
  const offsetPx = snapToEdge(image, x, y, nx, ny, found.t, s.snapPx);
  if (skin >= 0.5) return { offsetPx, certainty: found.certainty, hairBandPx: 0 };
  // Hair: the photo's own hair colour where hair is masked (a hat the segmentation calls hair is not hair), or strands the skin mask took in.
  const ownColour = colours.hair ? likeness(distance2(ycc, 0, colours.hair, shadedSigma(colours.hair))) >= 0.5 : true;
  if (!((hair >= 0.5 && ownColour) || (hair < 0.5 && textured >= 0.5))) return undefined;
  let band = Infinity;
  for (let d = s.bandPx; d <= s.reachPx; d += STEP_PX) {
    const [ix, iy] = at(found.t - d);
    if (skinAt(src, colours, ix, iy)) {
      band = d;
      break;
    }
  }
  return { offsetPx, certainty: found.certainty, hairBandPx: band };
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
