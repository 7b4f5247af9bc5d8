/**
 * Where along which axis one person's heads differ, against where people differ: every head is
 * aligned onto the template over the skin (area-weighted similarity), and per region and template
 * axis (x across, y up, z forward) the pooled within-person SD of each vertex's coordinate is set
 * against the SD of the people's mean coordinate (which still carries within/√n of noise). A region
 * and axis whose between-means SD is no larger than within is noise; one well above it is identity.
 */
import { applySimilarity, fitSimilarity } from "../src/geometry/procrustes.ts";

/** Per region: within-person SD and between-means SD per axis (x, y, z), mm. */
export type AxisSpread = Record<string, { withinMm: number[]; betweenMeansMm: number[] }>;

/**
 * `heads` (positions per photo, with its person), `template` positions, the skin's vertex ids,
 * each vertex's region index into `regionNames` and the template's vertex areas (weights).
 */
export function axisSpread(heads: { person: string; positions: ArrayLike<number> }[], template: ArrayLike<number>, skin: Uint32Array, region: Uint8Array, regionNames: readonly string[], areas: ArrayLike<number>): AxisSpread {
  const gather = (p: ArrayLike<number>) => Float64Array.from({ length: skin.length * 3 }, (_, k) => p[3 * skin[Math.floor(k / 3)] + (k % 3)]);
  const target = gather(template);
  const w = Float64Array.from(skin, (v) => areas[v]);
  const aligned = heads.map((h) => { const src = gather(h.positions); return applySimilarity(fitSimilarity(src, target, w), src); });
  const people = [...new Set(heads.map((h) => h.person))];
  const members = people.map((p) => heads.flatMap((h, i) => (h.person === p ? [i] : [])));
  const df = members.reduce((s, m) => s + m.length - 1, 0);
  const sums = regionNames.map(() => ({ within: [0, 0, 0], between: [0, 0, 0], weight: 0 }));
  for (let i = 0; i < skin.length; i++) {
    const acc = sums[region[skin[i]]];
    if (!acc) continue;
    acc.weight += w[i];
    for (let c = 0; c < 3; c++) {
      const means = members.map((m) => m.reduce((s, k) => s + aligned[k][3 * i + c], 0) / m.length);
      let ss = 0;
      members.forEach((m, p) => m.forEach((k) => (ss += (aligned[k][3 * i + c] - means[p]) ** 2)));
      const grand = means.reduce((s, x) => s + x, 0) / means.length;
      acc.within[c] += w[i] * (df ? ss / df : NaN);
      acc.between[c] += w[i] * (means.length > 1 ? means.reduce((s, x) => s + (x - grand) ** 2, 0) / (means.length - 1) : NaN);
    }
  }
  return Object.fromEntries(regionNames.map((r, k) => {
    const a = sums[k];
    const sd = (v: number[]) => v.map((x) => (a.weight ? 1000 * Math.sqrt(x / a.weight) : NaN));
    return [r, { withinMm: sd(a.within), betweenMeansMm: sd(a.between) }];
  }));
}
