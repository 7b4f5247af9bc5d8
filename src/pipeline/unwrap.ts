/**
 * unwrap: the fitted head rasterised in UV space. Each texel of the atlas is a point on the head;
 * projecting it through the fitted camera gives its colour in the photo (texture T), whether the
 * camera sees it (z-buffer) and how far to trust it (confidence); the same pass bakes the head's
 * geometry maps (object/tangent normals, position, depth, ambient occlusion, texel size).
 */
import type { CaptureResult, FitResult, HeadPart, ImageF32, TemplateHead, UnwrapResult } from "../types.ts";
import { BASE_MAP_SIZE, FACE_REGIONS } from "../types.ts";
import { loggerOf, throwIfAborted, withDefaults, type StageContext } from "./stage.ts";
import { occlusionMasks, skyVisibility } from "./unwrap/ambient-occlusion.ts";
import { buildZBuffer, NEAR_PLANE_M, projectVertices, rotateToCamera, toCamera, zBufferAt } from "./unwrap/camera-view.ts";
import { fillFromSource, nearestCoveredTexel } from "../image/gutter.ts";
import { vertexLandmarkConfidence } from "./unwrap/landmark-confidence.ts";
import { lidMarginTexels, sampleLashLine } from "./unwrap/lid-margin.ts";
import { closedLidShare, lidZones, tuckedOnly, upperMargins } from "./unwrap/lid-share.ts";
import { contourOutward, eyeOpenings, INNER_LIP_LINE_SD_IOD, inOpening, LID_LINE_SD_IOD, mouthOpening, nearOpening } from "./unwrap/photo-openings.ts";
import { buildPhotoPyramid, samplePhoto } from "./unwrap/photo-pyramid.ts";
import { rasterizeUv, type TriangleRange } from "../raster/rasterize.ts";
import { vertexRegionWeights } from "./unwrap/regions.ts";
import { texelAxesMm } from "./unwrap/texel-axes.ts";
import { atlasGeometry, interpolateVertexAttribute } from "./unwrap/uv-geometry.ts";

export interface UnwrapOptions {
  /** Atlas width, texels (2:3 with height). */
  width?: number;
  /** Atlas height, texels. */
  height?: number;
  /** Parts of the head rasterised into the atlas. */
  parts?: HeadPart[];
  /** Long side of the camera z-buffer, pixels (the photo's resolution when smaller). */
  zBufferMaxSize?: number;
  /** A texel is hidden when it lies more than this behind the z-buffer surface, metres (plus a slope term). */
  depthToleranceM?: number;
  /** Texels whose surface is seen more obliquely than this cosine count as not visible. */
  minFacing?: number;
  /**
   * Facing ratio (cosine between the surface normal and the view ray) from which a texel is fully
   * trusted; between minFacing and this the facing term ramps smoothly from 0 to the cosine
   * itself. Near the silhouette a texel's footprint in the photo stretches over many pixels and
   * mixes in background, so those texels are left to the mirror and the fill.
   */
  fullFacing?: number;
  /** Confidence factor kept where capture's skin mask is 0 (lips, brows, eyes are not "skin" to most segmenters but are still face). */
  skinMaskFloor?: number;
  /**
   * Texels where hair or an occluder is the likelier label get confidence 0 instead of their small
   * skin weight. Off: on 4 photos it lowered contamination (3ddfa-JianzhuGuo 11.9 → 10.3 %,
   * d3dfr-015316 11.2 → 9.0 %) but moved PSNR/identity both ways and drew dark strokes along
   * d3dfr-015316's temples (docs/evaluation.md).
   */
  dropLikelyOccluded?: boolean;
  /** Standard deviation of the Gaussian that spreads landmark confidence over the head, metres. */
  landmarkRadiusM?: number;
  /** Ambient-occlusion directions over the sphere. */
  aoDirections?: number;
  /** Ambient-occlusion depth-map size, pixels per side. */
  aoResolution?: number;
  /** Cap on the tangent of the viewing angle in the depth test's slope term (grazing texels would get an unbounded tolerance). */
  maxSlopeTangent?: number;
  /** Texels that land inside the photo's mouth opening (inner lip contour; teeth, tongue, the mouth's dark) count as unseen (unwrap/photo-openings.ts). */
  mouthOpeningUnseen?: boolean;
  /**
   * Per-axis SD of the detector's inner lip line, fraction of the interocular distance. A texel
   * whose footprint (half its extent in the photo) comes within this of the mouth opening counts
   * as unseen too: the line may lie that far inside the visible opening. 0 tests the footprint
   * alone. Default: the inner lip line's own measured error (unwrap/photo-openings.ts); the
   * published all-landmark figure (3.16 %) is dominated by the jaw and brows and takes most of a
   * thin upper lip.
   */
  mouthContourSdIod?: number;
  /** Skin texels that land inside the photo's eye openings (lid margins; sclera, iris) count as unseen: a lid never carries the eye (unwrap/photo-openings.ts). */
  eyeOpeningUnseen?: boolean;
  /**
   * Per-axis SD of the detector's lid lines, fraction of the interocular distance. A lid-skin
   * texel whose footprint comes within this of an eye opening counts as unseen too (it mixes the
   * lashes, sclera or iris that a blink would stretch over the closed lid); a lid margin's texel
   * reads the lash line across the lid line instead (unwrap/lid-margin.ts). Negative: the centre
   * test everywhere, margins included.
   */
  eyeContourSdIod?: number;
  /**
   * Map, per skin texel, the share of its skin the head as photographed shows of what the closed
   * upper lid shows (UnwrapResult.closedLidShare, unwrap/lid-share.ts; needs `fit.closedLids`):
   * completion fills the rest, the pretarsal skin an open eye tucks under the fold, from the lid
   * skin the photo saw.
   */
  closedLidShare?: boolean;
}

export const UNWRAP_DEFAULTS: Required<UnwrapOptions> = {
  width: BASE_MAP_SIZE.width,
  height: BASE_MAP_SIZE.height,
  parts: ["skin", "eyeLeft", "eyeRight"],
  zBufferMaxSize: 1024,
  depthToleranceM: 0.002,
  minFacing: 0.15,
  fullFacing: 0.5,
  skinMaskFloor: 0.25,
  dropLikelyOccluded: false,
  landmarkRadiusM: 0.02,
  aoDirections: 96,
  aoResolution: 384,
  maxSlopeTangent: 8,
  mouthOpeningUnseen: true,
  mouthContourSdIod: INNER_LIP_LINE_SD_IOD,
  eyeOpeningUnseen: true,
  eyeContourSdIod: LID_LINE_SD_IOD,
  closedLidShare: true,
};

/** What unwrap needs: the photo with its masks and landmark confidence, the fitted head, and the template's part table. */
export interface UnwrapInput {
  capture: Pick<CaptureResult, "image" | "masks" | "landmarkConfidence"> & Partial<Pick<CaptureResult, "landmarks">>;
  /** The head the photo is unwrapped through; interocularPx scales the mouth and eye contours' error (without it only the texel's footprint counts). */
  fit: Pick<FitResult, "mesh" | "camera"> & Partial<Pick<FitResult, "interocularPx">> & {
    /** The same head with both upper lids closed (unwrap/lid-share.ts closedUpperLids); without it every lid texel counts as fully seen. */
    closedLids?: Float32Array | null;
  };
  /** The template head: its part table, landmark vertices, and its undeformed mesh (regions are defined on it); its lid loops bound the skin the fold tucked (without them the whole stretch counts). */
  head: Pick<TemplateHead, "mesh" | "parts" | "landmarkVertices"> & Partial<Pick<TemplateHead, "rig">>;
}

/**
 * Rasterises the fitted head into its UV atlas: photo texture T (linear, trilinear-filtered from
 * the photo), visibility and confidence, and the geometry maps. Texels outside the UV islands get
 * T = 0 and confidence 0; their geometry maps copy the nearest island texel. Synchronous: the
 * signal is checked before it starts, progress reported after the photo pass and the occlusion.
 *
 *   const maps = unwrap({ capture, fit, head });
 *   maps.texture; maps.confidence; maps.ambientOcclusion;
 */
export function unwrap(input: UnwrapInput, options: UnwrapOptions = {}, context: StageContext = {}): UnwrapResult {
  const o = withDefaults(UNWRAP_DEFAULTS, options);
  const log = loggerOf(context);
  throwIfAborted(context);
  const { capture, fit, head } = input;
  const { mesh, camera } = fit;
  const W = o.width;
  const H = o.height;
  const N = W * H;

  // 1. G-buffer in UV space.
  const uvScreen = new Float32Array((mesh.uvs.length / 2) * 2);
  for (let v = 0; v < mesh.uvs.length / 2; v++) {
    uvScreen[2 * v] = mesh.uvs[2 * v] * W;
    uvScreen[2 * v + 1] = mesh.uvs[2 * v + 1] * H;
  }
  const ranges: TriangleRange[] = head.parts
    .filter((p) => o.parts.includes(p.part))
    .map((p) => ({ first: p.firstIndex / 3, count: p.indexCount / 3 }));
  const ids = rasterizeUv(mesh.uvs, mesh.indices, W, H, ranges);
  const geometry = atlasGeometry(mesh, ids);
  log.debug(`unwrap: ${geometry.coveredCount} of ${N} texels inside UV islands`);

  // 2. What the camera sees.
  const projection = projectVertices(camera, mesh.positions);
  const zbuffer = buildZBuffer(camera, projection, mesh.indices, o.zBufferMaxSize);
  const footprint = triangleFootprints(uvScreen, projection.pixels, mesh.indices);
  const vertexConfidence = vertexLandmarkConfidence(mesh.positions, head.landmarkVertices, capture.landmarkConfidence, o.landmarkRadiusM);
  const pyramid = buildPhotoPyramid(capture.image, projectedBox(projection.pixels, camera.width, camera.height));
  const opening = o.mouthOpeningUnseen ? mouthOpening(capture.landmarks) : null;
  const mouthContourSdPx = o.mouthContourSdIod * (fit.interocularPx ?? 0);
  const eyes = o.eyeOpeningUnseen ? eyeOpenings(capture.landmarks) : [];
  const skin = head.parts.find((p) => p.part === "skin");
  // The skin part's triangles (the only ones the eye openings hide): [first, end).
  const skinFirst = skin ? skin.firstIndex / 3 : 0, skinEnd = skin ? (skin.firstIndex + skin.indexCount) / 3 : 0;
  const onSkin = (p: number) => ids.triangle[p] >= skinFirst && ids.triangle[p] < skinEnd;
  const lidMargin = lidMarginTexels(mesh.uvs, head.landmarkVertices, W, H, onSkin);
  const eyeContourSdPx = o.eyeContourSdIod * (fit.interocularPx ?? 0);
  // The eye opening a skin texel centred at (x, y), reaching `reach` pixels, can see into (by its
  // footprint and the lid line's error; by its centre alone when eyeContourSdIod < 0).
  const eyeSeenBy = (x: number, y: number, reach: number) =>
    eyes.find((e) => (o.eyeContourSdIod < 0 ? inOpening(e, x, y) : nearOpening(e, x, y, reach + eyeContourSdPx)));
  const across = new Float64Array(4);

  const texture = image(W, H, 3, "linear");
  const visibility = image(W, H, 1, "data");
  const confidence = image(W, H, 1, "data");
  const pc = new Float64Array(3);
  const nc = new Float64Array(3);
  const rgb = new Float32Array(3);
  const { position, normalsObject } = geometry;
  // Photo pixels per z-buffer pixel, turned into metres at distance 1 for the slope term.
  const zPixelAngle = zbuffer.scale / Math.max(camera.fx, camera.fy);
  for (let p = 0; p < N; p++) {
    const t = ids.triangle[p];
    if (t < 0) continue;
    toCamera(camera, position.data[3 * p], position.data[3 * p + 1], position.data[3 * p + 2], pc);
    const dist = -pc[2];
    if (!(dist > NEAR_PLANE_M)) continue;
    rotateToCamera(camera, normalsObject.data[3 * p], normalsObject.data[3 * p + 1], normalsObject.data[3 * p + 2], nc);
    const len = Math.hypot(pc[0], pc[1], pc[2]);
    const facing = -(nc[0] * pc[0] + nc[1] * pc[1] + nc[2] * pc[2]) / len;
    if (!(facing > o.minFacing)) continue;
    const x = camera.cx + (camera.fx * pc[0]) / dist;
    const y = camera.cy - (camera.fy * pc[1]) / dist;
    if (!(x >= 0 && y >= 0 && x < camera.width && y < camera.height)) continue;
    if (nearOpening(opening, x, y, 0.5 * footprint[t] + mouthContourSdPx)) continue;
    // Lid skin that sees into the eye is unseen (the completion continues the lid skin round it);
    // a lid margin's texel that does reads the lash line across the lid line (lid-margin.ts).
    const eye = t >= skinFirst && t < skinEnd ? eyeSeenBy(x, y, 0.5 * footprint[t]) : undefined;
    if (eye && (!lidMargin.data[p] || o.eyeContourSdIod < 0)) continue;
    const nearestInv = zBufferAt(zbuffer, x, y);
    if (nearestInv > 0) {
      const tan = Math.min(o.maxSlopeTangent, Math.sqrt(Math.max(0, 1 - facing * facing)) / facing);
      const tolerance = o.depthToleranceM + dist * zPixelAngle * tan;
      if (dist > 1 / nearestInv + tolerance) continue;
    }
    visibility.data[p] = 1;
    if (eye) {
      contourOutward(eye, x, y, across);
      sampleLashLine(pyramid, across, footprint[t], eyeContourSdPx, rgb);
    } else samplePhoto(pyramid, x, y, footprint[t], rgb);
    texture.data[3 * p] = rgb[0];
    texture.data[3 * p + 1] = rgb[1];
    texture.data[3 * p + 2] = rgb[2];
    const a = mesh.indices[3 * t], b = mesh.indices[3 * t + 1], c = mesh.indices[3 * t + 2];
    const w1 = ids.b1[p], w2 = ids.b2[p];
    const landmark = (1 - w1 - w2) * vertexConfidence[a] + w1 * vertexConfidence[b] + w2 * vertexConfidence[c];
    const reach = 0.5 * footprint[t];
    confidence.data[p] = facingWeight(facing, o.minFacing, o.fullFacing) * maskFactor(capture.masks, camera.width, camera.height, x, y, reach, o.skinMaskFloor, o.dropLikelyOccluded) * landmark;
  }

  context.onProgress?.(0.4, "photo sampled");

  // 3. Ambient occlusion at the covered texels, against the whole head (eyeballs included).
  const coveredIndex = new Int32Array(geometry.coveredCount);
  for (let p = 0, k = 0; p < N; p++) if (ids.triangle[p] >= 0) coveredIndex[k++] = p;
  const points = new Float32Array(coveredIndex.length * 3);
  const normals = new Float32Array(coveredIndex.length * 3);
  const texelIndex = new Int32Array(N).fill(-1);
  coveredIndex.forEach((p, k) => {
    texelIndex[p] = k;
    points.set(position.data.subarray(3 * p, 3 * p + 3), 3 * k);
    normals.set(normalsObject.data.subarray(3 * p, 3 * p + 3), 3 * k);
  });
  const masks = occlusionMasks(mesh.positions, mesh.indices, points, normals, coveredIndex.length, {
    directions: o.aoDirections,
    resolution: o.aoResolution,
  });
  const aoValues = skyVisibility(masks, normals, coveredIndex.length);
  const ao = image(W, H, 1, "data");
  coveredIndex.forEach((p, k) => (ao.data[p] = aoValues[k]));
  context.onProgress?.(0.9, "ambient occlusion");

  const texelAxes = texelAxesMm(position, (p) => ids.triangle[p] >= 0);
  // 4. Gutters of the geometry maps copy the nearest island texel.
  const source = nearestCoveredTexel(W, H, (p) => ids.triangle[p] >= 0);
  for (const map of [normalsObject, geometry.tangentsObject, geometry.normalsTangent, position, geometry.depth, ao, geometry.texelSizeMm]) {
    fillFromSource(map, source);
  }
  const maskBits = new Uint32Array(N * masks.words);
  for (let p = 0; p < N; p++) {
    const k = source[p] >= 0 ? texelIndex[source[p]] : -1;
    if (k >= 0) maskBits.set(masks.bits.subarray(k * masks.words, (k + 1) * masks.words), p * masks.words);
  }
  // 5. Regions, defined on the template so that they always cover the same texels.
  const regionWeights = interpolateVertexAttribute(templateRegions(head), FACE_REGIONS.length, mesh.indices, ids);
  fillFromSource(regionWeights, source);
  const coverage = image(W, H, 1, "data");
  for (let p = 0; p < N; p++) coverage.data[p] = ids.triangle[p] >= 0 ? 1 : 0;
  const lidShare = o.closedLidShare && fit.closedLids && skin ? closedLidShareMap(mesh, fit.closedLids, head.rig && upperMargins([head.rig.lidRight, head.rig.lidLeft]), skinFirst, skinEnd, ids, onSkin, W, H) : undefined;
  const visibleCount = visibility.data.reduce((s, v) => s + v, 0);
  log.debug(`unwrap: ${visibleCount} texels seen by the camera; median texel ${geometry.medianTexelSizeMm.toFixed(3)} mm`);

  return {
    texture,
    visibility,
    confidence,
    coverage,
    normalsObject,
    tangentsObject: geometry.tangentsObject,
    normalsTangent: geometry.normalsTangent,
    position,
    depth: geometry.depth,
    ambientOcclusion: ao,
    occlusionMasks: { width: W, height: H, directions: masks.directions, words: masks.words, bits: maskBits },
    texelSizeMm: geometry.texelSizeMm,
    medianTexelSizeMm: geometry.medianTexelSizeMm,
    regions: { weights: regionWeights, texelAxesMm: texelAxes, lidMargin },
    ...(lidShare ? { closedLidShare: lidShare.share, ...(lidShare.stretched ? { upperLidSkin: lidShare.stretched } : {}) } : {}),
  };
}

/**
 * closedLidShare per vertex, on the skin the open lid's fold tucked when the upper margins are
 * given (lidZones), interpolated over the skin's texels (1 elsewhere); with the margins also the
 * skin the closing upper lid stretches (share < 1 without the zones), 1 where the interpolated
 * flag is at least ½.
 */
function closedLidShareMap(mesh: UnwrapInput["fit"]["mesh"], closed: Float32Array, margins: number[][] | undefined, first: number, end: number, ids: ReturnType<typeof rasterizeUv>, onSkin: (p: number) => boolean, W: number, H: number): { share: ImageF32; stretched?: ImageF32 } {
  const zones = margins && lidZones(mesh.positions, closed, margins);
  const overSkin = (perVertex: ArrayLike<number>, outside: number): ImageF32 => {
    const out = image(W, H, 1, "data");
    out.data.fill(outside);
    for (let p = 0; p < W * H; p++) {
      if (!onSkin(p)) continue;
      const t = ids.triangle[p], w1 = ids.b1[p], w2 = ids.b2[p];
      out.data[p] = (1 - w1 - w2) * perVertex[mesh.indices[3 * t]] + w1 * perVertex[mesh.indices[3 * t + 1]] + w2 * perVertex[mesh.indices[3 * t + 2]];
    }
    return out;
  };
  const stretch = closedLidShare(mesh.positions, closed, mesh.indices, first, end);
  if (!zones) return { share: overSkin(stretch, 1) };
  const share = overSkin(tuckedOnly(stretch, zones), 1);
  const stretched = overSkin(stretch.map((s) => (s < 1 ? 1 : 0)), 0);
  stretched.data.forEach((v, p) => (stretched.data[p] = v >= 0.5 ? 1 : 0));
  return { share, stretched };
}

/** The facing ratio, faded to 0 by a smoothstep between `min` and `full` (the ratio itself above `full`). */
export function facingWeight(cos: number, min: number, full: number): number {
  if (cos >= full) return cos;
  if (cos <= min) return 0;
  const t = (cos - min) / (full - min);
  return cos * t * t * (3 - 2 * t);
}

/** Region weights depend on the template only: computed once per template mesh (pure memo). */
const REGION_CACHE = new WeakMap<Float32Array, Float32Array>();
function templateRegions(head: UnwrapInput["head"]): Float32Array {
  let w = REGION_CACHE.get(head.mesh.positions);
  if (!w) {
    w = vertexRegionWeights(head.mesh.positions, head.landmarkVertices);
    REGION_CACHE.set(head.mesh.positions, w);
  }
  return w;
}

function image(width: number, height: number, channels: number, colorSpace: ImageF32["colorSpace"]): ImageF32 {
  return { width, height, channels, colorSpace, data: new Float32Array(width * height * channels) };
}

/**
 * Photo pixels per texel of each triangle (the larger axis of the affine map from UV texels to
 * photo pixels), which picks the mip level: a texel spanning 4 photo pixels averages them.
 */
function triangleFootprints(uvScreen: Float32Array, pixels: Float64Array, indices: Uint32Array): Float32Array {
  const out = new Float32Array(indices.length / 3).fill(1);
  for (let t = 0; t < out.length; t++) {
    const a = indices[3 * t], b = indices[3 * t + 1], c = indices[3 * t + 2];
    const u1 = uvScreen[2 * b] - uvScreen[2 * a], v1 = uvScreen[2 * b + 1] - uvScreen[2 * a + 1];
    const u2 = uvScreen[2 * c] - uvScreen[2 * a], v2 = uvScreen[2 * c + 1] - uvScreen[2 * a + 1];
    const x1 = pixels[2 * b] - pixels[2 * a], y1 = pixels[2 * b + 1] - pixels[2 * a + 1];
    const x2 = pixels[2 * c] - pixels[2 * a], y2 = pixels[2 * c + 1] - pixels[2 * a + 1];
    const det = u1 * v2 - u2 * v1;
    if (!(Math.abs(det) > 1e-12) || !Number.isFinite(x1 + y1 + x2 + y2)) continue;
    // J = [dx/du dx/dv; dy/du dy/dv] from [x1 x2; y1 y2] = J [u1 u2; v1 v2].
    const dxdu = (x1 * v2 - x2 * v1) / det, dxdv = (x2 * u1 - x1 * u2) / det;
    const dydu = (y1 * v2 - y2 * v1) / det, dydv = (y2 * u1 - y1 * u2) / det;
    out[t] = Math.max(Math.hypot(dxdu, dydu), Math.hypot(dxdv, dydv));
  }
  return out;
}

/** The photo window the head projects into (the whole photo when nothing projects). */
function projectedBox(pixels: Float64Array, width: number, height: number) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let v = 0; v < pixels.length / 2; v++) {
    const x = pixels[2 * v], y = pixels[2 * v + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  if (!(maxX > minX)) return { x: 0, y: 0, width, height };
  const x = Math.max(0, Math.floor(minX) - 2);
  const y = Math.max(0, Math.floor(minY) - 2);
  return { x, y, width: Math.min(width, Math.ceil(maxX) + 2) - x, height: Math.min(height, Math.ceil(maxY) + 2) - y };
}

/**
 * (1 − occluder) · (1 − hair) · (1 − spectacles) · lerp(floor, 1, skin) at photo pixel (x, y), nearest mask pixel
 * (masks may be stored at another resolution than the photo; they cover the same frame). A texel
 * averages the photo over its footprint, so occluder and hair are the largest found at its centre
 * and `reach` pixels to each side: a strand thinner than a texel still makes it not skin. Facial
 * hair counts as skin (it stays in the albedo), and so does skin beyond the face oval (temples, ears:
 * the oval is where the face segmentation stopped, not where skin stops). With `dropLikely`, 0 where hair or an occluder is the
 * likelier label ((1 − occluder)(1 − hair) < ½): as a weight, a likely-hair texel's small chance of being skin
 * still kept its colour wherever nothing better was seen nearby (the fill normalises weights), and a
 * fringe over the forehead became A_D's forehead (d3dfr-000114: a quarter of the upper face).
 */
export function maskFactor(masks: CaptureResult["masks"], photoWidth: number, photoHeight: number, x: number, y: number, reach: number, skinFloor: number, dropLikely = false): number {
  const facialHair = masks.facialHair ? maskAt(masks.facialHair, photoWidth, photoHeight, x, y) : 0;
  const beyondOval = masks.skinBeyondOval ? maskAt(masks.skinBeyondOval, photoWidth, photoHeight, x, y) : 0;
  const skin = Math.max(maskAt(masks.skin, photoWidth, photoHeight, x, y), facialHair, beyondOval);
  const frames = masks.spectacles ? mostAround(masks.spectacles, photoWidth, photoHeight, x, y, reach) : 0;
  const notHidden = (1 - mostAround(masks.occluder, photoWidth, photoHeight, x, y, reach)) * (1 - mostAround(masks.hair, photoWidth, photoHeight, x, y, reach)) * (1 - frames);
  return dropLikely && notHidden < 0.5 ? 0 : notHidden * (skinFloor + (1 - skinFloor) * skin);
}

// maskAt and mostAround are module functions, not closures in maskFactor: it runs per texel, and
// a closure made per call costs an allocation (and, under tsx, a name definition) each time.

/** A mask's nearest pixel to photo pixel (px, py), clamped to 0..1. */
function maskAt(m: ImageF32, photoWidth: number, photoHeight: number, px: number, py: number): number {
  const i = Math.min(m.width - 1, Math.max(0, Math.floor((px * m.width) / photoWidth)));
  const j = Math.min(m.height - 1, Math.max(0, Math.floor((py * m.height) / photoHeight)));
  const v = m.data[(j * m.width + i) * m.channels];
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

/** The largest mask value at (x, y) and `reach` pixels to each side. */
function mostAround(m: ImageF32, photoWidth: number, photoHeight: number, x: number, y: number, reach: number): number {
  return Math.max(
    maskAt(m, photoWidth, photoHeight, x, y),
    maskAt(m, photoWidth, photoHeight, x - reach, y),
    maskAt(m, photoWidth, photoHeight, x + reach, y),
    maskAt(m, photoWidth, photoHeight, x, y - reach),
    maskAt(m, photoWidth, photoHeight, x, y + reach),
  );
}
