/**
 * Does the relief delight divides by come back in the maps? Per photo, on the seen face skin at base
 * size: the relief's slopes (delight.relief) against the slopes N_S and N_D carry relative to the
 * mesh (regression gain: 1 = the same height), and the log shading each predicts under the photo's
 * own fitted light relative to the mesh normal's (what the division took out of A_D vs what the
 * maps give back). The whole pipeline at draft, minutes per photo:
 *   node --import tsx eval/relief-check.ts <photos-dir> a.jpg,b.png
 */
import { radianceToIrradiance, shBasis, SH_COUNT } from "../src/render/sh.ts";
import type { ImageF32, StageResults } from "../src/types.ts";
import type { ShadingRelief } from "../src/pipeline/delight/shading-relief.ts";
import { weightedBlur } from "../src/image/box-blur.ts";
import { LUMA_709, srgbToLinear } from "../src/primitives/color.ts";
import { studioLighting } from "./shade-skin.ts";

/** Log luminance of a full-size 3-channel map averaged (linear) over base texel (x, y)'s block. */
export function blockLogLum(m: ImageF32, baseW: number, baseH: number, x: number, y: number): number {
  const fx = m.width / baseW, fy = m.height / baseH;
  let s = 0, k = 0;
  for (let j = Math.floor(y * fy); j < Math.floor((y + 1) * fy); j++) {
    for (let i = Math.floor(x * fx); i < Math.floor((x + 1) * fx); i++) {
      const q = (j * m.width + i) * 3;
      const lin = (v: number) => (m.colorSpace === "srgb" ? srgbToLinear(v) : v);
      s += LUMA_709[0] * lin(m.data[q]) + LUMA_709[1] * lin(m.data[q + 1]) + LUMA_709[2] * lin(m.data[q + 2]);
      k++;
    }
  }
  return Math.log(Math.max(s / k, 1e-4));
}

/** Tangent-space slope (−∂h along +u, −∂h up) of map `m` (full size) averaged over base texel (x, y)'s block. */
function blockSlope(m: ImageF32, baseW: number, baseH: number, x: number, y: number, out: number[]): void {
  const fx = m.width / baseW, fy = m.height / baseH;
  let sx = 0, sy = 0, k = 0;
  for (let j = Math.floor(y * fy); j < Math.floor((y + 1) * fy); j++) {
    for (let i = Math.floor(x * fx); i < Math.floor((x + 1) * fx); i++) {
      const q = (j * m.width + i) * 3;
      const z = Math.max(m.data[q + 2], 0.05);
      sx += m.data[q] / z;
      sy += m.data[q + 1] / z;
      k++;
    }
  }
  out[0] = sx / k;
  out[1] = sy / k;
}

/** Luminance irradiance of `n` under irradiance SH coefficients `e` (27). */
function irradianceLum(e: ArrayLike<number>, nx: number, ny: number, nz: number, y: Float64Array): number {
  shBasis(nx, ny, nz, y);
  let s = 0;
  for (let c = 0; c < 3; c++) {
    let v = 0;
    for (let k = 0; k < SH_COUNT; k++) v += e[k * 3 + c] * y[k];
    s += LUMA_709[c] * v;
  }
  return s;
}

/** The canonical views' studio light (eval/shade-skin.ts) for the frontal view (camera axes = object axes): ambient SH irradiance and the directional lights' luminance. */
const STUDIO = studioLighting([1, 0, 0, 0, 1, 0, 0, 0, 1]);
const STUDIO_AMBIENT = radianceToIrradiance(STUDIO.ambientSh);
const STUDIO_LIGHTS = STUDIO.directional.map(({ direction: d, radiance: r }) => ({ dir: d.map((v) => v / Math.hypot(d[0], d[1], d[2])), lum: LUMA_709[0] * r[0] + LUMA_709[1] * r[1] + LUMA_709[2] * r[2] }));
function studioIrradiance(nx: number, ny: number, nz: number, y: Float64Array): number {
  let e = irradianceLum(STUDIO_AMBIENT, nx, ny, nz, y);
  for (const l of STUDIO_LIGHTS) e += l.lum * Math.max(0, nx * l.dir[0] + ny * l.dir[1] + nz * l.dir[2]);
  return e;
}

export interface ReliefCheck {
  texels: number;
  /** RMS of the relief's slope (full, with smile folds) and of its neutral slopes, mm/mm. */
  reliefSlopeRms: number;
  neutralSlopeRms: number;
  /** Regression of the maps' slope (minus the mesh's) on the neutral relief slopes. */
  gainS: number;
  gainD: number;
  /** Log shading under the photo's light relative to the mesh normal's: RMS of the relief's (the division's), and the regression of N_D's (tilted by the mesh frame) on it, and its RMS. */
  divisionLogRms: number;
  mapsLogRms: number;
  mapsGain: number;
  /** The same regression with N_D built from the neutral relief slopes alone (no ρ, no blur): the ceiling. */
  neutralGain: number;
  /** RMS of the log shading N_D's relief detail gives under the studio light (eval/shade-skin.ts studioLighting, the frontal view), relative to the mesh normal's. */
  studioLogRms: number;
  /** Detail under σ 4 mm (high-pass of log luminance): RMS of A_D's over T̂'s; of A_D × the relief's division shading (as if not divided); of A_D × N_D's shading under the photo's light (the render); and the RMS of T̂'s detail. */
  detailT: number;
  detailRatioA: number;
  detailRatioUndivided: number;
  detailRatioRendered: number;
  /** RMS of the detail of complete's texture and upscale's over T̂'s (the unwrap's). */
  detailRatioComplete: number;
  detailRatioUpscale: number;
  /** The same for delight's base-size completed albedo, and the camera response's contrast k. */
  detailRatioBase: number;
  responseK: number;
  /** Correlation of T̂'s detail with the relief's division shading's. */
  corrTR: number;
}

export function reliefCheck(stages: StageResults): ReliefCheck | null {
  const { unwrap: u, delight: delit, normals: nrm } = stages;
  const relief = (delit as { relief?: ShadingRelief }).relief;
  if (!relief) return null;
  const W = relief.slopes.width, H = relief.slopes.height;
  const N = u.normalsObject.data, Tg = u.tangentsObject.data, NT = u.normalsTangent;
  if (NT.width !== W) throw new Error(`normalsTangent ${NT.width} vs relief ${W}`);
  const e = radianceToIrradiance(delit.lighting.shRadiance);
  const y = new Float64Array(SH_COUNT);
  const conf = u.confidence.data, cov = u.coverage.data;
  const rf = relief.normalsObject.data, sl = relief.slopes.data, hh = relief.heightMm.data;
  const t = u.medianTexelSizeMm;
  const s = [0, 0], d = [0, 0];
  const npx = W * H;
  const lb = new Float32Array(npx), lc = new Float32Array(npx), lu = new Float32Array(npx);
  const mask = new Float32Array(npx), lt = new Float32Array(npx), la = new Float32Array(npx), lr = new Float32Array(npx), lm = new Float32Array(npx);
  let st2 = 0;
  let n = 0, rr = 0, ff = 0, sS = 0, sD = 0, dl = 0, ml = 0, md = 0, nd2 = 0;
  for (let yy = 1; yy < H - 1; yy++) {
    for (let x = 1; x < W - 1; x++) {
      const p = yy * W + x;
      if (!(cov[p] > 0.5) || conf[p] < 0.3 || relief.dataWeight.data[p] <= 0) continue;
      const ru = sl[p * 2], rv = sl[p * 2 + 1];
      const fu = (hh[p + 1] - hh[p - 1]) / (2 * t), fv = (hh[p - W] - hh[p + W]) / (2 * t);
      const tz = Math.max(NT.data[p * 3 + 2], 0.05);
      const mu = NT.data[p * 3] / tz, mv = NT.data[p * 3 + 1] / tz;
      blockSlope(nrm.normalsSpecular, W, H, x, yy, s);
      blockSlope(nrm.normalsDiffuse, W, H, x, yy, d);
      // Map slope is −∂h: detail = map − mesh, compared with −relief.
      sS += -(s[0] - mu) * ru - (s[1] - mv) * rv;
      sD += -(d[0] - mu) * ru - (d[1] - mv) * rv;
      rr += ru * ru + rv * rv;
      ff += fu * fu + fv * fv;
      // Shading: mesh normal, the relief's tilted normal (division), N_D's detail put on the mesh normal.
      const nx = N[p * 3], ny = N[p * 3 + 1], nz = N[p * 3 + 2];
      const tx = Tg[p * 4], ty = Tg[p * 4 + 1], tzz = Tg[p * 4 + 2], w = Tg[p * 4 + 3] < 0 ? -1 : 1;
      const bx = w * (ny * tzz - nz * ty), by = w * (nz * tx - nx * tzz), bz = w * (nx * ty - ny * tx);
      const e0 = irradianceLum(e, nx, ny, nz, y);
      if (!(e0 > 1e-6)) continue;
      const er = irradianceLum(e, rf[p * 3], rf[p * 3 + 1], rf[p * 3 + 2], y);
      const du = d[0] - mu, dv = d[1] - mv;
      const ox = nx + du * tx + dv * bx, oy = ny + du * ty + dv * by, oz = nz + du * tzz + dv * bz;
      const l = Math.hypot(ox, oy, oz);
      const ed = irradianceLum(e, ox / l, oy / l, oz / l, y);
      const qx = nx - ru * tx - rv * bx, qy = ny - ru * ty - rv * by, qz = nz - ru * tzz - rv * bz;
      const lq = Math.hypot(qx, qy, qz);
      const en = irradianceLum(e, qx / lq, qy / lq, qz / lq, y);
      if (!(er > 1e-6 && ed > 1e-6 && en > 1e-6)) continue;
      const a = Math.log(er / e0), b = Math.log(ed / e0), c = Math.log(en / e0);
      const sb = Math.log(studioIrradiance(ox / l, oy / l, oz / l, y) / studioIrradiance(nx, ny, nz, y));
      st2 += sb * sb;
      dl += a * a;
      ml += b * b;
      md += a * b;
      nd2 += c * a;
      n++;
      mask[p] = 1;
      lt[p] = blockLogLum(u.texture, W, H, x, yy);
      la[p] = blockLogLum(delit.albedo, W, H, x, yy);
      lc[p] = blockLogLum(stages.complete.texture, W, H, x, yy);
      lu[p] = blockLogLum(stages.upscale.texture, W, H, x, yy);
      lb[p] = blockLogLum(delit.albedoBase, W, H, x, yy);
      lr[p] = a;
      lm[p] = b;
    }
  }
  if (!n) return null;
  const sigma = 4 / t;
  const hp = (v: Float32Array) => {
    const low = weightedBlur(v, 1, mask, W, H, sigma).values;
    return Float32Array.from(v, (q, p) => (mask[p] ? q - low[p] : 0));
  };
  const [ht, ha, hr, hm, hc, hu, hb] = [lt, la, lr, lm, lc, lu, lb].map(hp);
  const rms = (f: (p: number) => number) => {
    let s2 = 0;
    for (let p = 0; p < npx; p++) if (mask[p]) s2 += f(p) ** 2;
    return Math.sqrt(s2 / n);
  };
  let tr = 0;
  for (let p = 0; p < npx; p++) if (mask[p]) tr += ht[p] * hr[p];
  const detailT = rms((p) => ht[p]);
  return {
    detailT,
    detailRatioA: rms((p) => ha[p]) / detailT,
    detailRatioUndivided: rms((p) => ha[p] + hr[p]) / detailT,
    detailRatioRendered: rms((p) => ha[p] + hm[p]) / detailT,
    studioLogRms: Math.sqrt(st2 / n),
    detailRatioComplete: rms((p) => hc[p]) / detailT,
    detailRatioUpscale: rms((p) => hu[p]) / detailT,
    detailRatioBase: rms((p) => hb[p]) / detailT,
    responseK: delit.lighting.response?.contrast ?? 1,
    corrTR: tr / n / (detailT * rms((p) => hr[p])),
    texels: n,
    reliefSlopeRms: Math.sqrt(ff / n),
    neutralSlopeRms: Math.sqrt(rr / n),
    gainS: sS / rr,
    gainD: sD / rr,
    divisionLogRms: Math.sqrt(dl / n),
    mapsLogRms: Math.sqrt(ml / n),
    mapsGain: md / dl,
    neutralGain: nd2 / dl,
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [dir, only] = process.argv.slice(2);
  if (!dir || !only) {
    process.stderr.write("usage: node --import tsx eval/relief-check.ts <photos-dir> a.jpg,b.png\n");
    process.exit(2);
  }
  const { readFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const { disposeSessions } = await import("../src/models/session.ts");
  for (const name of only.split(",")) {
    const stages: Partial<StageResults> = {};
    const bytes = new Uint8Array(await readFile(path.join(dir, name)));
    await reconstruct(bytes, { preset: "draft", face: 0, formats: ["glb"] }, { onStageResult: (stage, value) => void Object.assign(stages, { [stage]: value }) });
    const r = reliefCheck(stages as StageResults);
    process.stdout.write(`${name}: ${r ? Object.entries(r).map(([k, v]) => `${k} ${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`).join(" · ") : "no relief"}\n`);
  }
  await disposeSessions();
}
