/**
 * Identity ablation (issue 12, "why the re-render loses identity to the naive baseline"): one
 * reconstruction per photo, then the re-render of eval/photo.ts with one ingredient swapped at a
 * time, and the FaceRes cosine of each against the photo. Same mesh, camera and light in every
 * variant unless the variant says otherwise, so each row isolates what it swaps.
 *
 *   node --import tsx eval/ablation.ts <photos-dir> <out-dir> a.jpg,b.png [--no-delight]
 *
 * `--no-delight` skips the rows that run de-lighting again with one of its steps off (the slow part).
 *
 * Writes <out-dir>/ablation.json (cosines per photo and variant), <out-dir>/<photo>.png (the
 * aligned 224 px crops FaceRes reads, in the variants' order) and <photo>-A_D*.png (A_D as made,
 * and with the removal bounded under each view the lobes take of the light), and prints a table.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { srgbToLinear } from "../src/primitives/color.ts";
import * as T from "../src/primitives/face-topology.ts";
import { fillPolygon } from "../src/raster/polygon.ts";
import { weightedBlur } from "../src/image/box-blur.ts";
import { linearToSrgb } from "../src/primitives/color.ts";
import type { Camera, ImageF32, Landmarks, Mesh } from "../src/types.ts";
import { albedoWithEyes } from "./canonical-view.ts";
import { reconstructStages, requireStages, safeName } from "./head-measures.ts";
import { alignedFace, cosine, faceEmbeddings } from "./identity.ts";
import { baselineMaps, headWindow, rerenderOverPhoto, windowCamera } from "./rerender.ts";
import { compositeOver, lightingFromEstimate, renderSkin, type SkinLighting, type SkinMaps } from "./shade-skin.ts";
import { A_S_NOMINAL, type SkinParameters } from "../materials/skin-parameters.ts";
import { delight, photoReferences, type DelightOptions } from "../src/pipeline/delight.ts";
import { viewTowardCamera } from "../src/pipeline/delight/specular-bound.ts";
import { sceneLightStatistics } from "../src/pipeline/delight/redness-share.ts";
import type { CompleteResult } from "../src/pipeline/complete.ts";
import { fullSizeTexelMm } from "../src/pipeline/normals.ts";
import { writePngs } from "../src/render/write-images.ts";
import { cameraCentre } from "../src/render/camera.ts";
import { boundingSphere, unitByDivision } from "../src/primitives/vec3.ts";
import { radianceToIrradiance, shBasis } from "../src/render/sh.ts";

const normalize3 = (v: number[]) => unitByDivision(v, "ablation: camera at the head's centre") as [number, number, number];

/** Linear copy of an sRGB or linear 3-channel image. */
function toLinear(img: ImageF32): ImageF32 {
  return img.colorSpace === "srgb" ? { ...img, data: img.data.map((v) => srgbToLinear(v)), colorSpace: "linear" } : img;
}

/** A photo-space mask (0/1) of the polygon through the landmarks `ring`. */
function landmarkMask(landmarks: Landmarks, ring: readonly number[], width: number, height: number): Float32Array {
  const m = new Float32Array(width * height);
  fillPolygon(m, width, height, ring.flatMap((i) => [landmarks[3 * i], landmarks[3 * i + 1]]));
  return m;
}

/** `a` where mask is 1, `b` elsewhere (both sRGB, same size). */
function blendByMask(a: ImageF32, b: ImageF32, mask: Float32Array): ImageF32 {
  const data = new Float32Array(b.data);
  for (let p = 0; p < mask.length; p++) if (mask[p] > 0) for (let c = 0; c < 3; c++) data[3 * p + c] = a.data[3 * p + c];
  return { ...b, data };
}

/** Per-texel choice between two linear atlases of the same size: `a` where pick(p), else `b`. */
function pickAtlas(a: ImageF32, b: ImageF32, pick: (p: number) => boolean): ImageF32 {
  const data = new Float32Array(b.data);
  for (let p = 0; p < b.width * b.height; p++) if (pick(p)) for (let c = 0; c < 3; c++) data[3 * p + c] = a.data[3 * p + c];
  return { ...b, data };
}

/** Resamples a 1-channel atlas to width×height (nearest), for masks made at base size. */
function nearest(img: ImageF32, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) / height) * img.height));
    for (let x = 0; x < width; x++) out[y * width + x] = img.data[(sy * img.width + Math.min(img.width - 1, Math.floor(((x + 0.5) / width) * img.width))) * img.channels];
  }
  return out;
}

/** Multiplies every channel of a linear atlas by `gain` per channel. */
function gained(img: ImageF32, gain: number[]): ImageF32 {
  return { ...img, data: img.data.map((v, i) => v * gain[i % 3]) };
}

/** Per-channel median ratio a/b over texels where w(p). */
function medianRatio(a: ImageF32, b: ImageF32, w: (p: number) => boolean): number[] {
  return [0, 1, 2].map((c) => {
    const r: number[] = [];
    for (let p = 0; p < a.width * a.height; p++) if (w(p) && b.data[3 * p + c] > 1e-4) r.push(a.data[3 * p + c] / b.data[3 * p + c]);
    r.sort((x, y) => x - y);
    return r.length ? r[r.length >> 1] : 1;
  });
}

async function savePng(crops: ImageF32[], file: string): Promise<void> {
  const S = crops[0].width;
  const bytes = new Uint8Array(S * crops.length * S * 3);
  crops.forEach((img, k) => {
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) bytes[(y * S * crops.length + k * S + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, img.data[(y * S + x) * 3 + c])) * 255);
  });
  await sharp(bytes, { raw: { width: S * crops.length, height: S, channels: 3 } }).png().toFile(file);
}

/** rerenderOverPhoto with other skin material parameters (the lobes' roughness). */
function withMaterial(photo: ImageF32, mesh: Mesh, camera: Camera, maps: SkinMaps, lighting: SkinLighting, material: Partial<SkinParameters>): ImageF32 {
  const win = headWindow(mesh, camera);
  if (!win) return photo;
  return compositeOver(renderSkin(mesh, windowCamera(camera, win), maps, lighting, { supersample: 1, material }), photo, win.x0, win.y0);
}

async function ablate(file: string, outDir: string, rerunDelight: boolean): Promise<Record<string, number>> {
  const { stages: raw, failure } = await reconstructStages(new Uint8Array(await readFile(file)), "draft");
  if (failure) throw new Error(failure);
  const s = requireStages(raw);
  // The complete stage reports its whole CompleteResult (StageResults types only the texture).
  const up = raw.upscale!, complete = raw.complete as unknown as CompleteResult;
  if (!complete.sourceConfidence) throw new Error("ablation: the complete stage reported no sourceConfidence");
  const photo = s.capture.image, landmarks = s.capture.landmarks;
  const seen = s.fit.photographed ?? s.fit.mesh;
  // Both views the lobes can take of the estimate (render/skin-specular.ts EstimateSpecular).
  const light = lightingFromEstimate(s.delight.lighting);
  const lightSplit = lightingFromEstimate(s.delight.lighting, "split");
  const lightWhole = lightingFromEstimate(s.delight.lighting, "environment");
  {
    // Where the fitted light comes from, against the camera: its angle, and the split light's share of the constant term.
    const eye = cameraCentre(s.fit.camera), centre = boundingSphere(seen.positions).centre;
    const toEye = [0, 1, 2].map((c) => eye[c] - centre[c]), l = Math.hypot(...toEye);
    const d = s.delight.lighting.dominantDirection;
    const angle = (Math.acos(Math.min(1, (d[0] * toEye[0] + d[1] * toEye[1] + d[2] * toEye[2]) / l)) * 180) / Math.PI;
    const share = lightSplit.directional[0].radiance[1] / (s.delight.lighting.shRadiance[1] / 0.28209479177387814);
    console.log(`  light: dominant direction ${angle.toFixed(0)}° from the camera, split light ${(100 * share).toFixed(0)} % of the constant term (green)`);
  }
  const ao = s.unwrap.ambientOcclusion;

  const ad = s.delight.albedo; // sRGB
  const adEyes = albedoWithEyes(ad, s.eyes.texture);
  const ours: SkinMaps = { albedoDiffuse: ad, albedoSpecular: s.specular.specularAlbedo, normalsDiffuse: s.normals.normalsDiffuse, normalsSpecular: s.normals.normalsSpecular, ambientOcclusion: ao };
  const oursEyes: SkinMaps = { ...ours, albedoDiffuse: adEyes };
  // The baseline's scale, as eval/photo.ts: T̂ brought to A_D's median skin level (same texels: seen ≥ 0.3).
  const W = up.texture.width, H = up.texture.height;
  const conf = nearest(s.unwrap.confidence, W, H);
  const adLin = toLinear(ad), adEyesLin = toLinear(adEyes), texLin = toLinear(up.texture);
  const seenSkin = (p: number) => conf[p] >= 0.3;
  const lum = (g: number[]) => 0.2126 * g[0] + 0.7152 * g[1] + 0.0722 * g[2];
  const scale = lum(medianRatio(adLin, texLin, seenSkin));
  const base = baselineMaps(up.texture, scale, ao);
  const texScaled = base.albedoDiffuse;
  const eyeDisc = (() => {
    // Texels the eyes map owns (where albedoWithEyes changed A_D).
    const m = new Uint8Array(W * H);
    for (let p = 0; p < W * H; p++) for (let c = 0; c < 3; c++) if (adEyes.data[3 * p + c] !== ad.data[3 * p + c]) m[p] = 1;
    return m;
  })();
  const baseEyes: SkinMaps = { ...base, albedoDiffuse: pickAtlas(adEyesLin, texScaled, (p) => eyeDisc[p] === 1) };
  // A_D's colour per channel brought to T̂'s on the seen skin (tone and white balance of the face as photographed, no shading).
  const colourGain = medianRatio(texScaled, adEyesLin, seenSkin);

  const variants: [string, SkinMaps, SkinLighting?, Partial<SkinParameters>?][] = [
    ["ours (eval)", ours],
    ["baseline (eval)", base],
    ["ours + eyes map", oursEyes],
    ["baseline + eyes map", baseEyes],
    ["ours + eyes, mesh normals, A_S nominal", { albedoDiffuse: adEyes, albedoSpecular: A_S_NOMINAL, ambientOcclusion: ao }],
    ["T̂ + eyes, our N_D/N_S/A_S", { ...oursEyes, albedoDiffuse: baseEyes.albedoDiffuse }],
    ["ours + eyes, colour matched to T̂", { ...oursEyes, albedoDiffuse: gained(adEyesLin, colourGain) }],
    ["T̂ on seen face (conf ≥ 0.3), A_D fill", { ...oursEyes, albedoDiffuse: pickAtlas(texScaled, adEyesLin, (p) => seenSkin(p) && eyeDisc[p] === 0) }],
    ["A_D on seen face, T̂ fill", { ...oursEyes, albedoDiffuse: pickAtlas(adEyesLin, texScaled, (p) => seenSkin(p) || eyeDisc[p] === 1) }],
  ];
  const spec = s.specular.specularAlbedo;
  variants.push(["ours + eyes, A_S 0 (no specular)", { ...oursEyes, albedoSpecular: 0 }]);
  variants.push(["ours + eyes, A_S × 3", { ...oursEyes, albedoSpecular: { ...spec, data: spec.data.map((v) => 3 * v) } }]);
  variants.push(["ours + eyes, lobes: split", oursEyes, lightSplit]);
  variants.push(["ours + eyes, lobes: whole environment", oursEyes, lightWhole]);
  // Weyrich et al.'s measured single lobe (Beckmann m 0.23–0.31 ≈ GGX roughness 0.48–0.56, centre 0.52; skin-reflectance.md §1.2) for both layers.
  variants.push(["ours + eyes, lobes: whole environment, both at Weyrich's roughness 0.52", oursEyes, lightWhole, { roughnessBase: 0.52, roughnessSharp: 0.52 }]);
  {
    // Diagnostic: the whole estimate's irradiance as one light at the lens (where a flash or ring light sits).
    const eye = cameraCentre(s.fit.camera), centre = boundingSphere(seen.positions).centre;
    const dir = normalize3([0, 1, 2].map((c) => eye[c] - centre[c]));
    const E = Array.from(radianceToIrradiance(s.delight.lighting.shRadiance)), Y = new Float64Array(9);
    shBasis(dir[0], dir[1], dir[2], Y);
    const rgb = [0, 1, 2].map((c) => Math.max(0, Y.reduce((a, y, k) => a + y * E[3 * k + c], 0))) as [number, number, number];
    variants.push(["ours + eyes, lobes: a light at the lens", oursEyes, { ambientSh: new Array(27).fill(0), directional: [{ direction: dir, radiance: rgb }], directionalDiffuse: "sh" }]);
  }
  // De-lighting again on the same inputs with one of its steps switched off (A_D swapped, the rest of ours kept).
  const delightInput = {
    texture: up.texture,
    textureBase: complete.texture,
    confidence: complete.sourceConfidence,
    normalsObject: s.unwrap.normalsObject,
    tangentsObject: s.unwrap.tangentsObject,
    baseTexelSizeMm: s.unwrap.medianTexelSizeMm,
    ambientOcclusion: s.unwrap.ambientOcclusion,
    coverage: s.unwrap.coverage,
    regions: s.unwrap.regions,
    viewObject: viewTowardCamera(s.unwrap.position, s.fit.camera),
    sceneLight: sceneLightStatistics(s.capture.illuminant),
    ...photoReferences(photo, landmarks),
    texelSizeMm: fullSizeTexelMm(s.unwrap.medianTexelSizeMm, s.unwrap.texture.width, up.texture.width),
  };
  const off: [string, DelightOptions][] = [
    ["delight again, defaults", {}],
    ["delight: no deep-shade blend", { shadeTrust: [1e-6, 2e-6] }],
    ["delight: no shade-chroma blend", { shadeChromaTrust: [1e-6, 2e-6] }],
    ["delight: no relief", { shapeFromShading: null }],
    ["delight: no specular removal", { specularTolerance: 100 }],
    ["delight: none of these", { shadeTrust: [1e-6, 2e-6], shadeChromaTrust: [1e-6, 2e-6], shapeFromShading: null, specularTolerance: 100 }],
  ];
  // A_D as the pipeline made it and with the bounded removals, written beside the crops to look at.
  const atlases: { name: string; image: ImageF32 }[] = [{ name: `${safeName(path.basename(file))}-A_D`, image: ad }];
  // A_D with and without the highlight removal, kept to draw what the removal took (below).
  const removalPair: Partial<Record<"with" | "without", SkinMaps>> = {};
  for (const [name, options] of rerunDelight ? off : []) {
    const again = await delight(delightInput, options);
    const maps = { ...oursEyes, albedoDiffuse: albedoWithEyes(again.albedo, s.eyes.texture) };
    variants.push([name, maps]);
    if (name === "delight again, defaults") removalPair.with = { ...maps, albedoSpecular: 0 };
    if (name === "delight: no specular removal") removalPair.without = { ...maps, albedoSpecular: 0 };
  }
  if (rerunDelight) {
    // The removal bounded by what the material's specular can put back (off by default: delight's
    // boundHighlightRemoval), under each view the lobes take of the light, re-rendered under the same.
    for (const [mode, lighting] of [["split", lightSplit], ["environment", lightWhole]] as const) {
      const again = await delight(delightInput, { boundHighlightRemoval: true, boundSpecularLight: mode });
      variants.push([`delight: removal bounded, lobes: ${mode}`, { ...oursEyes, albedoDiffuse: albedoWithEyes(again.albedo, s.eyes.texture) }, lighting]);
      atlases.push({ name: `${safeName(path.basename(file))}-A_D-bounded-${mode}`, image: again.albedo });
    }
  }
  const renders: ImageF32[] = [];
  for (const [, v, lighting, material] of variants) renders.push(material ? withMaterial(photo, seen, s.fit.camera, v, lighting ?? light, material) : rerenderOverPhoto(photo, seen, s.fit.camera, v, lighting ?? light).composite);
  // Face-only composites: the re-render inside the face oval, the photo outside.
  const oval = landmarkMask(landmarks, T.FACE_OVAL, photo.width, photo.height);
  const eyesMask = (() => {
    const a = landmarkMask(landmarks, T.RIGHT_EYE_RING, photo.width, photo.height), b = landmarkMask(landmarks, T.LEFT_EYE_RING, photo.width, photo.height);
    return a.map((v, i) => Math.max(v, b[i]));
  })();
  const extra: [string, ImageF32][] = [
    ["ours + eyes, face oval only", blendByMask(renders[2], photo, oval)],
    ["baseline, face oval only", blendByMask(renders[1], photo, oval)],
    ["ours (eval) + photo's eye rings", blendByMask(photo, renders[0], eyesMask)],
  ];
  // The mouth opening as photographed (teeth, tongue): the head has no teeth, A_D's lips are cleaned of them.
  const mouth = landmarkMask(landmarks, T.MOUTH_INNER, photo.width, photo.height);
  extra.push(["ours + eyes + photo's mouth opening", blendByMask(photo, renders[2], mouth)]);
  extra.push(["baseline + eyes + photo's mouth opening", blendByMask(photo, renders[3], mouth)]);
  // Photo-space decomposition of what ours+eyes misses: R = photo / render (linear) on the covered
  // face oval; the render times R's global median, its low-pass (σ = 0.15 inter-ocular), its high-pass.
  const lin = (img: ImageF32) => img.data.map((v) => srgbToLinear(v));
  const P = lin(photo), Q = lin(renders[2]);
  const cov = rerenderOverPhoto(photo, seen, s.fit.camera, oursEyes, light).coverage;
  const n = photo.width * photo.height;
  const w = Float32Array.from({ length: n }, (_, p) => (oval[p] > 0 && cov[p] >= 0.99 ? 1 : 0));
  const R = new Float32Array(3 * n);
  for (let i = 0; i < 3 * n; i++) R[i] = Math.log(Math.max(P[i], 1e-4) / Math.max(Q[i], 1e-4));
  const iod = Math.hypot(landmarks[3 * 33] - landmarks[3 * 263], landmarks[3 * 33 + 1] - landmarks[3 * 263 + 1]);
  const { values: low } = weightedBlur(R, 3, w, photo.width, photo.height, 0.15 * iod);
  const med = [0, 1, 2].map((c) => { const a: number[] = []; for (let p = 0; p < n; p++) if (w[p]) a.push(R[3 * p + c]); a.sort((x, y) => x - y); return a[a.length >> 1] ?? 0; });
  const corrected = (f: (i: number) => number): ImageF32 => ({ ...photo, colorSpace: "srgb", data: Float32Array.from(Q, (v, i) => (w[Math.floor(i / 3)] ? linearToSrgb(Math.min(1, v * Math.exp(f(i)))) : renders[2].data[i])) });
  let sd = 0, cnt = 0, sdLow = 0;
  for (let p = 0; p < n; p++) if (w[p]) { const l = (R[3 * p] + R[3 * p + 1] + R[3 * p + 2]) / 3, ll = (low[3 * p] + low[3 * p + 1] + low[3 * p + 2]) / 3, m = (med[0] + med[1] + med[2]) / 3; sd += (l - m) ** 2; sdLow += (ll - m) ** 2; cnt++; }
  console.log(`  log(photo/ours+eyes) on the covered face: median ${med.map((v) => v.toFixed(3)).join(",")}, sd ${Math.sqrt(sd / cnt).toFixed(3)}, low-pass sd ${Math.sqrt(sdLow / cnt).toFixed(3)}`);
  // Where our specular falls against the photo: S = ours − ours with A_S 0 (the re-render's own
  // specular), X = photo − ours with A_S 0 (what the photo shows beyond our diffuse), luminance, linear,
  // on the covered face: their correlation, the slope of X on S, and S's share of X's positive part.
  const noSpec = lin(renders[variants.findIndex(([name]) => name === "ours + eyes, A_S 0 (no specular)")]);
  const lumOf = (a: Float32Array, p: number) => 0.2126 * a[3 * p] + 0.7152 * a[3 * p + 1] + 0.0722 * a[3 * p + 2];
  // H = what the highlight removal took, drawn without specular: A_D unremoved − A_D removed.
  const removed = removalPair.with && removalPair.without
    ? { with: lin(rerenderOverPhoto(photo, seen, s.fit.camera, removalPair.with, light).composite), without: lin(rerenderOverPhoto(photo, seen, s.fit.camera, removalPair.without, light).composite) }
    : null;
  // A luminance map on the covered face as grey sRGB (black elsewhere).
  const greyMap = (f: (p: number) => number): ImageF32 => ({ ...photo, colorSpace: "srgb", data: Float32Array.from({ length: 3 * n }, (_, i) => (w[Math.floor(i / 3)] ? linearToSrgb(Math.min(1, Math.max(0, f(Math.floor(i / 3))))) : 0)) });
  const against = (S: (p: number) => number, Y: (p: number) => number) => {
    let sS = 0, sX = 0, sSS = 0, sXX = 0, sSX = 0, sXpos = 0, m = 0;
    for (let p = 0; p < n; p++) {
      if (!w[p]) continue;
      const a = S(p), x = Y(p);
      sS += a; sX += x; sSS += a * a; sXX += x * x; sSX += a * x; sXpos += Math.max(0, x); m++;
    }
    const covSX = sSX / m - (sS / m) * (sX / m), varS = Math.max(1e-12, sSS / m - (sS / m) ** 2), varX = Math.max(1e-12, sXX / m - (sX / m) ** 2);
    return `corr ${(covSX / Math.sqrt(varS * varX)).toFixed(3)}, slope ${(covSX / varS).toFixed(2)}, ΣS / Σ⁺ ${(sS / Math.max(sXpos, 1e-12)).toFixed(3)}`;
  };
  for (const mode of ["split", "whole environment", "whole environment, both at Weyrich's roughness 0.52", "a light at the lens"]) {
    const [, , lighting] = variants.find(([name]) => name === `ours + eyes, lobes: ${mode}`)!;
    const withSpec = lin(renders[variants.findIndex(([name]) => name === `ours + eyes, lobes: ${mode}`)]);
    // The same light without specular: the light at the lens lights the diffuse differently.
    const noSpecHere = lighting === lightSplit || lighting === lightWhole ? noSpec : lin(rerenderOverPhoto(photo, seen, s.fit.camera, { ...oursEyes, albedoSpecular: 0 }, lighting!).composite);
    const S = (p: number) => lumOf(withSpec, p) - lumOf(noSpecHere, p);
    console.log(`  our specular S (lobes: ${mode}) vs the photo's excess X over our diffuse (face): ${against(S, (p) => lumOf(P, p) - lumOf(noSpec, p))}`);
    if (removed) console.log(`  our specular S (lobes: ${mode}) vs what the highlight removal took H (face): ${against(S, (p) => lumOf(removed.without, p) - lumOf(removed.with, p))}`);
    extra.push([`map: our specular (lobes: ${mode}), ×4`, greyMap((p) => 4 * S(p))]);
  }
  if (removed) extra.push(["map: what the removal took, ×4", greyMap((p) => 4 * (lumOf(removed.without, p) - lumOf(removed.with, p)))]);
  extra.push(["ours + eyes × global gain", corrected((i) => med[i % 3])]);
  extra.push(["ours + eyes × low-pass(photo/ours)", corrected((i) => low[i])]);
  extra.push(["ours + eyes × high-pass(photo/ours)", corrected((i) => R[i] - low[i] + med[i % 3])]);
  const { values: mid } = weightedBlur(R, 3, w, photo.width, photo.height, 0.04 * iod);
  extra.push(["ours + eyes × band 0.04–0.15 IOD", corrected((i) => mid[i] - low[i] + med[i % 3])]);
  extra.push(["ours + eyes × fine < 0.04 IOD", corrected((i) => R[i] - mid[i] + med[i % 3])]);
  // Where the render is off the photo: grey 0.5 + log ratio / 2 (white: the photo lighter), black off the face.
  extra.push(["map: log(photo / ours+eyes)", { ...photo, colorSpace: "srgb", data: Float32Array.from(R, (v, i) => (w[Math.floor(i / 3)] ? Math.min(1, Math.max(0, 0.5 + (R[3 * Math.floor(i / 3)] + R[3 * Math.floor(i / 3) + 1] + R[3 * Math.floor(i / 3) + 2]) / 6)) : 0)) }]);
  const names = [...variants.map(([n]) => n), ...extra.map(([n]) => n)];
  const images = [...renders, ...extra.map(([, i]) => i)];
  const crops = [photo, ...images].map((img) => alignedFace(img, landmarks));
  const [ePhoto, ...e] = await faceEmbeddings(crops);
  await savePng(crops, path.join(outDir, `${safeName(path.basename(file))}.png`));
  await writePngs(outDir, atlases);
  return Object.fromEntries(names.map((n, i) => [n, cosine(ePhoto, e[i])]));
}

async function main(): Promise<void> {
  const [dir, outDir, list, mode] = process.argv.slice(2);
  if (!dir || !outDir || !list) throw new Error("usage: node --import tsx eval/ablation.ts <photos-dir> <out-dir> a.jpg,b.png [--no-delight]");
  await mkdir(outDir, { recursive: true });
  const results: Record<string, Record<string, number>> = {};
  for (const name of list.split(",")) {
    results[name] = await ablate(path.join(dir, name), outDir, mode !== "--no-delight");
    console.log(name, JSON.stringify(Object.fromEntries(Object.entries(results[name]).map(([k, v]) => [k, +v.toFixed(3)]))));
    await writeFile(path.join(outDir, "ablation.json"), JSON.stringify(results, null, 1));
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
