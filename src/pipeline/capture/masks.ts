/**
 * Photo-space masks for the chosen face: skin, hair and occluders.
 *
 * - The face region comes from the mesh: the face oval minus eyes (with lashes), brows and the
 *   mouth opening.
 * - A skin colour model (robust mean/spread of chroma and lightness over that region) tells
 *   skin from whatever covers it (fringe, glasses frames, beard, hands of another colour).
 * - Person segmentation (selfie model, run on a head-and-shoulders crop) tells the person from
 *   the background: hair is person, outside the oval, inside the head region and not skin
 *   coloured; occluders are non-skin pixels inside the face region (or non-person ones there).
 * - A GrabCut-style cut (skin-segment.ts) refines the occluders: a skin and a non-skin mixture
 *   over colour and strand texture (strand-texture.ts), seeded from the face's skin and from the
 *   hair above the forehead (plus clear occluders), and a contrast-sensitive min-cut, find the
 *   dark strands and fringes a lone skin threshold lets through. It runs over the oval and the
 *   person's head around it, with the sure hair above the forehead labelled not skin outright, so
 *   a fringe stays joined to its hair; mixed hair/skin pixels joined to the hair are then labelled
 *   not skin too (mixed-pixels.ts). Only the oval's labels are used.
 * - Beyond the oval, inside the head region, skin is whatever the same models call skin (person, the
 *   face's skin colour, not hair, not cut as hair): its own mask, for unwrap only, so the measured
 *   skin does not end at the oval's outline down the temples.
 * - In the moustache and beard zone, and around the brows and eyes, what is not skin but is the person is
 *   facial hair: part of the albedo, so neither occluder nor hair; it has its own mask.
 * - Spectacle frames (glasses.ts) have their own mask too: not skin for the texture, but the landmarks and
 *   the face's outline under a thin frame are still seen, so they are not occluders for the fit.
 */
import { luma601 } from "../../primitives/color.ts";
import type { FaceMasks, ImageF32 } from "../../types.ts";
import { fillPolygon } from "../../raster/polygon.ts";
import { imageToCrop, sampleCrop, type CropFrame } from "./crop.ts";
import type { RunModel } from "./detect.ts";
import { segmentSkin } from "./skin-segment.ts";
import { spectacleFrames } from "./glasses.ts";
import { strandOrientation, strandTexture } from "./strand-texture.ts";
import { castShadow } from "./cast-shadow.ts";
import { hairColourLikelihood, skinLogChroma } from "./melanin-colour.ts";
import * as T from "../../primitives/face-topology.ts";

export const SELFIE_INPUT = 256;

const polygon = (lm: Float32Array, idx: number[]) => idx.flatMap((i) => [lm[i * 3], lm[i * 3 + 1]]);

/** A polygon (x, y pairs) scaled by `k` about its vertices' mean. */
function grown(xy: number[], k: number): number[] {
  let cx = 0, cy = 0;
  for (let i = 0; i < xy.length; i += 2) (cx += xy[i]), (cy += xy[i + 1]);
  cx /= xy.length / 2;
  cy /= xy.length / 2;
  return xy.map((v, i) => (i % 2 === 0 ? cx + k * (v - cx) : cy + k * (v - cy)));
}

/** A robust colour model: per YCC channel the median and the MAD-based spread. */
export type Model = { mid: number; spread: number }[];

function robustStats(values: number[]): { mid: number; spread: number } {
  const s = [...values].sort((a, b) => a - b);
  const mid = s[Math.floor(s.length / 2)] ?? 0;
  const dev = s.map((v) => Math.abs(v - mid)).sort((a, b) => a - b);
  return { mid, spread: 1.4826 * (dev[Math.floor(dev.length / 2)] ?? 0) };
}

/** Robust colour model (median, MAD) of the pixels at `idx` of a YCC buffer. */
export function colourModel(ycc: Float32Array, idx: number[]): Model {
  return [0, 1, 2].map((c) => robustStats(idx.map((i) => ycc[i * 3 + c])));
}

/** Floor of a strand-orientation spread, coherence units (0..1): a ridge so a flat patch's zero spread stays finite. */
const ORIENTATION_SPREAD_FLOOR = 0.02;

/**
 * The face skin's and the hair band's strand orientation (strand-texture.ts) as robust models:
 * `z2(i)` is pixel i's squared distance from the skin's in skin σ, `separation2` the squared gap
 * between the two medians in pooled σ (the colour models' test, on this one feature).
 */
export function orientationModel(orientation: Float32Array, skinIdx: number[], hairIdx: number[]): { z2: (i: number) => number; separation2: number } {
  const skin = robustStats(skinIdx.map((i) => orientation[i]));
  const hair = robustStats(hairIdx.map((i) => orientation[i]));
  const skinSpread = Math.max(skin.spread, ORIENTATION_SPREAD_FLOOR);
  const pooled = Math.hypot(skinSpread, Math.max(hair.spread, ORIENTATION_SPREAD_FLOOR));
  return { z2: (i) => ((orientation[i] - skin.mid) / skinSpread) ** 2, separation2: hairIdx.length > 0 ? ((hair.mid - skin.mid) / pooled) ** 2 : 0 };
}

/** Squared distance of YCC pixel i from the model's centre in units of `sigma`. */
export function distance2(ycc: Float32Array, i: number, m: Model, sigma: number[]): number {
  const a = (ycc[i * 3] - m[0].mid) / sigma[0];
  const b = (ycc[i * 3 + 1] - m[1].mid) / sigma[1];
  const c = (ycc[i * 3 + 2] - m[2].mid) / sigma[2];
  return a * a + b * b + c * c;
}

/** Lightness and two chroma axes (YCbCr-like) of the sRGB pixel at rgb[s..s+3), into ycc[d..d+3). */
export function toYcc(rgb: ArrayLike<number>, s: number, ycc: Float32Array, d: number): void {
  const l = luma601(rgb[s], rgb[s + 1], rgb[s + 2]);
  ycc[d] = l;
  ycc[d + 1] = rgb[s + 2] - l;
  ycc[d + 2] = rgb[s] - l;
}

/** A face colour model's spreads widened in lightness: shading moves lightness over a face a lot, chroma decides. */
export const shadedSigma = (m: Model): number[] => [Math.max(m[0].spread * 2.5, 0.08), Math.max(m[1].spread, 0.02), Math.max(m[2].spread, 0.02)];

/** A colour model's spreads with floors, for telling two models apart (skin from hair). */
export const tightSigma = (m: Model): number[] => [Math.max(m[0].spread, 0.03), Math.max(m[1].spread, 0.012), Math.max(m[2].spread, 0.012)];

/** Probability that YCC pixel i is `a` rather than `b` (equal priors, distances in each model's σ). */
export const twoClass = (ycc: Float32Array, i: number, a: Model, aSigma: number[], b: Model, bSigma: number[]): number => 1 / (1 + Math.exp(-(distance2(ycc, i, b, bSigma) - distance2(ycc, i, a, aSigma)) / 2));

/** 1 within 3σ of a colour model (squared distance d2 in σ units), 0 beyond 5σ, linear in d2 between. */
export const likeness = (d2: number): number => Math.max(0, Math.min(1, (25 - d2) / 16));

export interface MaskInputs {
  image: ImageF32;
  landmarks: Float32Array;
  /** The aligned face ROI (sets the head-region frame and the selfie crop). */
  roi: CropFrame;
}

const mask = (w: number, h: number): ImageF32 => ({ width: w, height: h, channels: 1, data: new Float32Array(w * h), colorSpace: "data" });

/**
 * Computes the three masks (each 1 channel, 0..1, photo size) and the fraction of the face
 * region flagged as occluded.
 */
export async function faceMasks({ image, landmarks: lm, roi }: MaskInputs, runSelfie: RunModel): Promise<{ masks: FaceMasks; occludedFraction: number; hidden: ImageF32 }> {
  const { width: W, height: H, data: px } = image;
  const cos = Math.cos(roi.theta);
  const sin = Math.sin(roi.theta);
  // Face frame: a along the eye line, b down the face.
  const frameA = (x: number, y: number) => x * cos + y * sin;
  const frameB = (x: number, y: number) => -x * sin + y * cos;
  // Head region: an ellipse over the ROI reaching above the forehead; all work stays in its box.
  const head = { cx: roi.cx + sin * roi.size * 0.12, cy: roi.cy - cos * roi.size * 0.12, ra: roi.size * 0.62, rb: roi.size * 0.72 };
  const ox = Math.max(0, Math.floor(head.cx - head.rb - 2));
  const oy = Math.max(0, Math.floor(head.cy - head.rb - 2));
  const w = Math.max(1, Math.min(W, Math.ceil(head.cx + head.rb + 2)) - ox);
  const h = Math.max(1, Math.min(H, Math.ceil(head.cy + head.rb + 2)) - oy);
  const n = w * h;

  const oval = new Uint8Array(n);
  fillPolygon(oval, w, h, polygon(lm, T.FACE_OVAL), ox, oy);
  // The openings (eyes, mouth) are the eyes' and the teeth's; the brows are facial hair and skin, labelled like the zone around them.
  const openings = new Uint8Array(n);
  for (const part of [T.RIGHT_EYE_RING, T.LEFT_EYE_RING, T.MOUTH_INNER]) fillPolygon(openings, w, h, polygon(lm, part), ox, oy);
  const brows = new Uint8Array(n);
  for (const part of [T.RIGHT_BROW, T.LEFT_BROW]) fillPolygon(brows, w, h, polygon(lm, part), ox, oy);
  const features = Uint8Array.from(openings, (v, i) => v | brows[i]);
  // Around each brow and each eye (the polygons grown by a third about their centres): brow
  // hairs, lashes and the lash line the polygons miss are facial hair, kept like the beard, not
  // occluders (filled with skin, the eyes lost their outline and the face its identity).
  const browZone = new Uint8Array(n);
  for (const part of [T.RIGHT_BROW, T.LEFT_BROW, T.RIGHT_EYE_RING, T.LEFT_EYE_RING]) fillPolygon(browZone, w, h, grown(polygon(lm, part), 1.35), ox, oy);
  const lips = new Uint8Array(n);
  fillPolygon(lips, w, h, polygon(lm, T.LIPS_OUTER), ox, oy);

  // Lightness and two chroma axes (YCbCr-like, from sRGB 0..1) of every pixel in the window.
  const ycc = new Float32Array(n * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = ((y + oy) * W + x + ox) * 3;
      toYcc(px, s, ycc, (y * w + x) * 3);
    }
  }

  // Person probability on a head-and-shoulders crop around the face, read back per pixel.
  const selfieFrame: CropFrame = { cx: roi.cx, cy: roi.cy + roi.size * 0.25, size: roi.size * 2.2, theta: roi.theta };
  const person = (await runSelfie(sampleCrop(image, selfieFrame, SELFIE_INPUT), [1, SELFIE_INPUT, SELFIE_INPUT, 3])).activation_10;
  const personP = new Float32Array(n);
  // imageToCrop is affine: step it per pixel instead of calling it (hot loop).
  const [u0, v0] = imageToCrop(selfieFrame, SELFIE_INPUT, ox + 0.5, oy + 0.5);
  const [u1, v1] = imageToCrop(selfieFrame, SELFIE_INPUT, ox + 1.5, oy + 0.5);
  const [u2, v2] = imageToCrop(selfieFrame, SELFIE_INPUT, ox + 0.5, oy + 1.5);
  const [dux, dvx, duy, dvy] = [u1 - u0, v1 - v0, u2 - u0, v2 - v0];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const iu = Math.floor(u0 + x * dux + y * duy);
      const iv = Math.floor(v0 + x * dvx + y * dvy);
      if (iu >= 0 && iv >= 0 && iu < SELFIE_INPUT && iv < SELFIE_INPUT) personP[y * w + x] = person[iv * SELFIE_INPUT + iu];
    }
  }

  // Skin colour model from the face region's own pixels (robust to a minority of non-skin).
  const skinIdx: number[] = [];
  for (let i = 0; i < n; i++) if (oval[i] && !features[i] && !lips[i]) skinIdx.push(i);
  const stride = Math.max(1, Math.floor(skinIdx.length / 20000));
  const skinSample = skinIdx.filter((_, k) => k % stride === 0);
  const skin = colourModel(ycc, skinSample);
  // Inside the oval shading moves lightness a lot: a wide lightness band, chroma decides;
  // 1 within 3σ of the face's own colour, 0 beyond 5σ.
  const faceSigma = shadedSigma(skin);
  const skinChroma = skinLogChroma(px, skinSample.map((i) => (Math.floor(i / w) + oy) * W + (i % w) + ox));

  // Hair colour model from a band just above the forehead (person pixels only). Light-brown
  // hair shares skin's chroma, so hair vs skin is a two-class decision, not a skin threshold;
  // when the band looks like the face (bald or shaved head: distance² ≪ 1; the sample photo's
  // light-brown hair: 3.7) there is no hair to find.
  const [aTop, bTop] = [frameA(lm[T.FOREHEAD_TOP * 3], lm[T.FOREHEAD_TOP * 3 + 1]), frameB(lm[T.FOREHEAD_TOP * 3], lm[T.FOREHEAD_TOP * 3 + 1])];
  // Hair stops at the chin line (below it, in the middle, is neck and clothing).
  const chinB = frameB(lm[T.CHIN * 3], lm[T.CHIN * 3 + 1]);
  const faceH = chinB - bTop;
  const faceW = Math.abs(frameA(lm[T.LEFT_CHEEK_EDGE * 3], lm[T.LEFT_CHEEK_EDGE * 3 + 1]) - frameA(lm[T.RIGHT_CHEEK_EDGE * 3], lm[T.RIGHT_CHEEK_EDGE * 3 + 1]));
  const hairIdx: number[] = [];
  const inHead = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const X = x + ox + 0.5;
      const Y = y + oy + 0.5;
      const fa = X * cos + Y * sin;
      const fb = -X * sin + Y * cos;
      const ea = ((X - head.cx) * cos + (Y - head.cy) * sin) / head.ra;
      const eb = (-(X - head.cx) * sin + (Y - head.cy) * cos) / head.rb;
      inHead[i] = ea * ea + eb * eb <= 1 && fb <= chinB ? 1 : 0;
      const inBand = fb >= bTop - 0.35 * faceH && fb <= bTop - 0.08 * faceH && Math.abs(fa - aTop) <= 0.3 * faceW;
      if (inBand && !oval[i] && personP[i] > 0.5) hairIdx.push(i);
    }
  }
  const hair = colourModel(ycc, hairIdx);
  const midFace = midFaceBand(lm, oval, w, h, ox, oy, frameB);
  // Strands are about a tenth of a millimetre; a window of ~1.4 mm (σ = face width / 100, the
  // face ≈ 140 mm across) holds several strands and their gaps and is narrow against shading.
  const strandScale = Math.max(1, faceW / 100);
  const textures = [strandTexture(ycc, w, h, strandScale), strandOrientation(ycc, w, h, strandScale)];
  // Hair is told from skin by colour or, where its colour is the skin's (blonde, grey), by its
  // strands' orientation (skin's own spread of it measured on the same skin pixels).
  const orientation = orientationModel(textures[1], skinSample, hairIdx);
  const [skinSigma, hairSigma] = [tightSigma(skin), tightSigma(hair)];
  const pooled = skinSigma.map((v, c) => Math.hypot(v, hairSigma[c]));
  const colourSeparation2 = hair.reduce((a, m, c) => a + ((m.mid - skin[c].mid) / pooled[c]) ** 2, 0);
  const separable = hairIdx.length >= 30 && colourSeparation2 + orientation.separation2 > 2;
  // Hair beyond the oval is told by colour where colour alone separates it; otherwise (blonde) the
  // cut's label, which weighs the strands too (a colour two-class there took neck and shadow for hair).
  const byColour = separable && colourSeparation2 > 2;

  const notSkin = refineOccluders(ycc, w, h, { oval, midFace, inHead, features, lips, personP, hairIdx: separable ? hairIdx : [], skin, skinSigma, faceSigma, textures, orientationZ2: orientation.z2 });
  // Facial hair: the moustache between the nose and the mouth, as wide as the mouth, and the beard
  // below the lower lip across the whole face. Between nose and lip farther out (the sides of the
  // cheeks) a dark band is far more often a lock of scalp hair than a beard, so it stays an occluder.
  const at = (k: number): [number, number] => [frameA(lm[k * 3], lm[k * 3 + 1]), frameB(lm[k * 3], lm[k * 3 + 1])];
  const moustacheB = at(T.SUBNASALE)[1];
  const beardB = at(T.LOWER_LIP_BOTTOM)[1];
  const [mouthR, mouthL] = [at(T.MOUTH_RIGHT)[0], at(T.MOUTH_LEFT)[0]];
  const mouthMid = (mouthR + mouthL) / 2, mouthHalf = (0.6 * Math.abs(mouthL - mouthR));
  const browTopB = Math.min(...[...T.RIGHT_BROW, ...T.LEFT_BROW].map((k) => at(k)[1]));
  const facialHairZone = (fa: number, fb: number) => fb > beardB || (fb > moustacheB && Math.abs(fa - mouthMid) <= mouthHalf);
  // The forehead proper: above the brows and between their outer ends, where the surface faces one
  // way; beyond them the temples turn from the light and their own shading darkens them.
  const browsA = [...T.RIGHT_BROW, ...T.LEFT_BROW].map((k) => at(k)[0]);
  const [browMinA, browMaxA] = [Math.min(...browsA), Math.max(...browsA)];
  // With the glabella between the brows' inner ends, down to the nose's root: a brim's or a
  // fringe's shadow that reaches the brows lies there too (d3dfr-015259), and it is skin of the same facing.
  const [rightBrowA, leftBrowA] = [T.RIGHT_BROW, T.LEFT_BROW].map((part) => part.map((k) => at(k)[0]));
  const [innerLo, innerHi] = [Math.max(...rightBrowA), Math.min(...leftBrowA)].sort((a, b) => a - b);
  const noseRootB = at(T.NOSE_ROOT)[1];
  const forehead = (X: number, Y: number) => {
    const [fa, fb] = [frameA(X, Y), frameB(X, Y)];
    return (fb < browTopB && fa > browMinA && fa < browMaxA) || (fb < noseRootB && fa > innerLo && fa < innerHi);
  };
  const shadowed = hairShadow(ycc, w, h, ox, oy, { oval, features, lips, browZone, midFace, inHead, personP, notSkin, skin, skinSigma, faceSigma, forehead });

  const masks: FaceMasks = { skin: mask(W, H), hair: mask(W, H), occluder: mask(W, H), facialHair: mask(W, H), skinBeyondOval: mask(W, H), person: personMask(image, selfieFrame, person), spectacles: spectacleFrames(image, lm).map };
  // What hides the face from the camera, for the landmarks' confidence: the occluders less the cast
  // shadow (a shadow changes the skin's light, not whether its landmarks are seen).
  const hidden = mask(W, H);
  let faceArea = 0;
  let occludedArea = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const out = (y + oy) * W + x + ox;
      const p = Math.min(1, personP[i] * 2);
      if (oval[i]) {
        if (openings[i]) continue;
        const skinP = likeness(distance2(ycc, i, skin, faceSigma));
        const cut = notSkin ? notSkin[i] : 0;
        const X = x + ox + 0.5, Y = y + oy + 0.5;
        if (!lips[i] && (facialHairZone(frameA(X, Y), frameB(X, Y)) || browZone[i] || brows[i])) {
          // Not skin, but the person, in the beard or brow zone: facial hair, kept in the albedo,
          // where its colour can be hair's; a colour no hair has there (a cap's brim over the
          // brows, a scarf) is an occluder (melanin-colour.ts).
          // Inside a brow's polygon all of the person is brow (hair and the skin between the hairs):
          // facial hair, which the unwrap weighs like skin but de-lighting's skin statistics do not read.
          const notSkinHere = brows[i] ? p : Math.min(p, Math.max(1 - skinP, cut));
          const hairLike = hairColourLikelihood(px[3 * out], px[3 * out + 1], px[3 * out + 2], skinChroma);
          const beard = notSkinHere * hairLike;
          const occluder = Math.max(1 - p, notSkinHere * (1 - hairLike));
          masks.facialHair!.data[out] = beard;
          masks.occluder.data[out] = occluder;
          hidden.data[out] = occluder;
          masks.skin.data[out] = p * (1 - notSkinHere);
          faceArea++;
          occludedArea += occluder;
          continue;
        }
        // Lips are judged by segmentation only (their colour is not skin's).
        const notSkinHere = Math.max(lips[i] ? 0 : Math.max(1 - skinP, cut), 1 - p);
        const occluder = Math.max(notSkinHere, shadowed && !lips[i] ? shadowed[i] : 0);
        masks.occluder.data[out] = occluder;
        masks.skin.data[out] = 1 - occluder;
        hidden.data[out] = notSkinHere;
        faceArea++;
        occludedArea += occluder;
      } else if (inHead[i]) {
        const cut = notSkin ? notSkin[i] : 0;
        // Not measured by the face segmentation is not "not skin": the same colour model and cut decide.
        const skinLike = likeness(distance2(ycc, i, skin, faceSigma)) * (1 - cut);
        let hairP = byColour ? p / (1 + Math.exp(-(distance2(ycc, i, skin, skinSigma) - distance2(ycc, i, hair, hairSigma)) / 2)) : separable ? p * cut : 0;
        // Above the brows the person beyond the oval is skin or hair (a cap counts as hair): what is
        // not skin there is hair. Fringe tips mixed with the skin between them are nearer the skin than
        // the hair by colour, and left unlabelled they reached the texture at unwrap's floor weight.
        const X = x + ox + 0.5, Y = y + oy + 0.5;
        if (frameB(X, Y) < browTopB) hairP = Math.max(hairP, p * (1 - skinLike));
        masks.hair.data[out] = hairP;
        masks.skinBeyondOval!.data[out] = p * skinLike * (1 - hairP);
      }
    }
  }
  return { masks, occludedFraction: faceArea > 0 ? occludedArea / faceArea : 0, hidden };
}

/**
 * Hair's cast shadow and hair-darkened skin on the forehead (cast-shadow.ts): grown from what is not
 * skin (the cut's label; beyond the oval, the person where the face's colour model does not call it
 * skin) into the forehead (above the brows, between their outer ends), through pixels darker than
 * the mid-face's clean skin.
 */
function hairShadow(
  ycc: Float32Array, w: number, h: number, ox: number, oy: number,
  r: Pick<RefineInputs, "oval" | "features" | "lips" | "midFace" | "inHead" | "personP" | "skin" | "skinSigma" | "faceSigma"> & { browZone: Uint8Array; notSkin: Float32Array | null; forehead: (x: number, y: number) => boolean },
): Uint8Array | null {
  const n = w * h;
  const domain = new Uint8Array(n), start = new Uint8Array(n);
  const reference: number[] = [];
  for (let i = 0; i < n; i++) {
    if (r.oval[i]) {
      if (r.features[i] || r.lips[i]) continue;
      if (r.notSkin && r.notSkin[i] >= 0.5) start[i] = 1;
      else if (r.midFace[i] && distance2(ycc, i, r.skin, r.skinSigma) < 9) reference.push(i);
      else if (!r.browZone[i] && r.forehead(i % w + ox + 0.5, Math.floor(i / w) + oy + 0.5)) domain[i] = 1;
    } else if (r.inHead[i] && r.personP[i] > 0.5 && ((r.notSkin && r.notSkin[i] >= 0.5) || likeness(distance2(ycc, i, r.skin, r.faceSigma)) < 0.5)) start[i] = 1;
  }
  return castShadow({ luma: (i) => ycc[i * 3], width: w, height: h, domain, notSkin: start, reference });
}

/**
 * The selfie model's person probability over its whole crop (head, neck and shoulders), read back
 * into the photo bilinearly (fit's silhouette term follows its boundary; nearest cells would make
 * it a staircase); 0 outside the crop.
 */
function personMask(image: ImageF32, frame: CropFrame, person: Float32Array): ImageF32 {
  const { width: W, height: H } = image;
  const out = mask(W, H);
  const reach = (frame.size * Math.SQRT2) / 2;
  const x0 = Math.max(0, Math.floor(frame.cx - reach)), x1 = Math.min(W, Math.ceil(frame.cx + reach));
  const y0 = Math.max(0, Math.floor(frame.cy - reach)), y1 = Math.min(H, Math.ceil(frame.cy + reach));
  const n = SELFIE_INPUT;
  const at = (u: number, v: number) => (u >= 0 && v >= 0 && u < n && v < n ? person[v * n + u] : 0);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const [u, v] = imageToCrop(frame, n, x + 0.5, y + 0.5);
      if (u < 0 || v < 0 || u > n || v > n) continue;
      // Cell centres at integer + 0.5.
      const fu = u - 0.5, fv = v - 0.5;
      const iu = Math.floor(fu), iv = Math.floor(fv);
      const a = fu - iu, b = fv - iv;
      out.data[y * W + x] = (1 - b) * ((1 - a) * at(iu, iv) + a * at(iu + 1, iv)) + b * ((1 - a) * at(iu, iv + 1) + a * at(iu + 1, iv + 1));
    }
  }
  return out;
}

interface RefineInputs {
  oval: Uint8Array;
  /** The mid-face band inside the oval (midFaceBand): where the skin a fringe's mixtures are told from is sampled. */
  midFace: Uint8Array;
  /** The head region above the chin (where the hair joined to a fringe lies). */
  inHead: Uint8Array;
  /** Strand texture and strand orientation per pixel (strand-texture.ts). */
  textures: Float32Array[];
  features: Uint8Array;
  lips: Uint8Array;
  personP: Float32Array;
  /** Squared distance of a pixel's strand orientation from the face skin's, in skin σ (orientationModel). */
  orientationZ2: (i: number) => number;
  /** Hair pixels above the forehead (empty when hair cannot be told from skin by colour or strand orientation). */
  hairIdx: number[];
  skin: Model;
  skinSigma: number[];
  faceSigma: number[];
}

/** Clean (mid-face) skin seeds needed to use them as the mixtures' reference (segmentSkin needs 30 of each model). */
const MIN_CLEAN_SEEDS = 30;

/**
 * The mid-face: oval pixels between the lower lids and the subnasale (cheeks under the eyes and the
 * nose). A fringe, a cap's brim or its shadow stops above the brows, so the skin's colour and
 * shading spread measured here is the face's own, not widened by the tips and shadow of a fringe
 * (over the whole oval they made a fringe's edge pass as shaded skin: d3dfr-000114, JianzhuGuo).
 */
function midFaceBand(lm: Float32Array, oval: Uint8Array, w: number, h: number, ox: number, oy: number, frameB: (x: number, y: number) => number): Uint8Array {
  const lowerLid = Math.max(...[...T.RIGHT_EYE_CONTOUR, ...T.LEFT_EYE_CONTOUR].map((k) => frameB(lm[k * 3], lm[k * 3 + 1])));
  const subnasale = frameB(lm[T.SUBNASALE * 3], lm[T.SUBNASALE * 3 + 1]);
  const band = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x, b = frameB(x + ox + 0.5, y + oy + 0.5);
      band[i] = oval[i] && b > lowerLid && b < subnasale ? 1 : 0;
    }
  }
  return band;
}

/** Share of the face above which the cut is taken to have failed (skin seeds swamped) and is dropped. */
const MAX_CUT_SHARE = 0.6;

/**
 * 1 where the GrabCut-style refinement says a face pixel is not skin; null when it has nothing to
 * go on (too few seeds) or its answer covers most of the face (a failed model, not an occluder).
 * The cut runs over the face and the person's head around it, so a fringe stays joined to the
 * hair it hangs from: the hair band is labelled not skin outright and the contrast term carries
 * that label down the fringe to its edge against the forehead (with the oval alone, a fringe's
 * part inside it was an island decided by colour alone, and light strand tips passed as skin).
 * Seeds: skin = face pixels within 3 robust σ of the skin model in every channel; not skin = the
 * hair band (minus pixels that look like the face's skin: a high hairline shows forehead there)
 * and face pixels far outside the skin model (glasses frames, a phone).
 */
function refineOccluders(ycc: Float32Array, w: number, h: number, r: RefineInputs): Float32Array | null {
  const n = w * h;
  const domain = new Uint8Array(n);
  const skinSeeds: number[] = [];
  const cleanSkinSeeds: number[] = [];
  const otherSeeds: number[] = [];
  let faceCount = 0;
  for (let i = 0; i < n; i++) {
    if (r.personP[i] <= 0.5) continue;
    if (!r.oval[i]) {
      // Around the face: only where hair can be (the band's hair is the seed; ears and temples take the colour models' word).
      if (r.inHead[i] && r.hairIdx.length > 0) domain[i] = 1;
      continue;
    }
    if (r.features[i] || r.lips[i]) continue;
    domain[i] = 1;
    faceCount++;
    if (distance2(ycc, i, r.skin, r.skinSigma) < 9) (skinSeeds.push(i), r.midFace[i] && cleanSkinSeeds.push(i));
    else if (distance2(ycc, i, r.skin, r.faceSigma) >= 25) otherSeeds.push(i);
  }
  const hairSeeds = r.hairIdx.filter((i) => distance2(ycc, i, r.skin, r.skinSigma) >= 4 || r.orientationZ2(i) >= 4);
  otherSeeds.push(...hairSeeds);
  // Hard labels only where the band is surely hair: beyond 5σ of the skin even with shading's wide
  // lightness band, as the clear occluders inside the oval (a high hairline puts forehead skin in
  // the band, and a hard label there floods the forehead).
  // Blonde or grey hair is sure by its strands: beyond 5σ of the skin's own orientation.
  const sureHair = hairSeeds.filter((i) => distance2(ycc, i, r.skin, r.faceSigma) >= 25 || r.orientationZ2(i) >= 25);
  const cut = segmentSkin({ ycc, width: w, height: h, domain, skinSeeds, cleanSkinSeeds: cleanSkinSeeds.length >= MIN_CLEAN_SEEDS ? cleanSkinSeeds : undefined, otherSeeds, fixedOther: sureHair, textures: r.textures });
  if (!cut) return null;
  let count = 0;
  for (let i = 0; i < n; i++) if (r.oval[i]) count += cut[i];
  return count > MAX_CUT_SHARE * faceCount ? null : cut;
}
