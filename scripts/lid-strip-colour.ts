/**
 * The colour of the lid strips a blink shows (issue 16): per job, mean CIELAB of the completed
 * photo texture (maps/texture.png) and of A_D (maps/albedo_diffuse.png) over the upper lid's strip
 * (upper-lid weight ≥ 0.05, 1–4 base texels above the upper margin: what eyeBlink stretches over
 * the globe) and the lower lid's (lower-lid weight ≥ 0.05, 1–4 texels below the lower margin),
 * with the hue angle h = atan2(b*, a*), the chroma per lightness C* / L* and the CIEDE2000
 * difference between the two strips (a closed lid shows both). Shading by one light
 * scales a texel's linear RGB and keeps its chromaticity, so h and C* / L* separate the colour of a
 * shaded strip from its darkness; light of another colour in the shade (sky, bounce) moves h.
 *
 *   node --import tsx scripts/lid-strip-colour.ts [--strip 1,9] /tmp/jobs/obama /tmp/jobs/hrn-00521
 *
 * The jobs are `porelight reconstruct` output folders (maps read at the base atlas size).
 */
import path from "node:path";
import sharp from "sharp";
import { restRig } from "../src/geometry/blendshape-rig.ts";
import { ciede2000, linearSrgbToLab, srgbToLinear } from "../src/primitives/color.ts";
import { sharedTemplateHead } from "../src/pipeline/reconstruct.ts";
import { segmentDistance } from "../src/raster/polygon.ts";
import { rasterizeUv } from "../src/raster/rasterize.ts";
import { BASE_MAP_SIZE } from "../src/types.ts";

/** Lid weight from which a texel moves with the blink (as scripts/lid-band.ts). */
const MOVES = 0.05;
const args = process.argv.slice(2);
const stripAt = args.indexOf("--strip");
/** The strip, base texels from the margin: [first, last] (1–4 by default; `--strip 1,9` takes what the blink lays over the eye). */
const STRIP = stripAt >= 0 ? args[stripAt + 1].split(",").map(Number) : [1, 4];
if (STRIP.length !== 2 || !STRIP.every((v) => v >= 0)) throw new Error("lid-strip-colour: --strip takes first,last (base texels)");
const jobs = stripAt >= 0 ? args.filter((_, i) => i !== stripAt && i !== stripAt + 1) : args;
if (!jobs.length) throw new Error("lid-strip-colour: give one or more reconstruct output folders");

const head = sharedTemplateHead();
const rig = restRig(head);
const { uvs, indices } = head.mesh;
const { width: W, height: H } = BASE_MAP_SIZE;
const skin = head.parts.find((p) => p.part === "skin");
if (!skin) throw new Error("lid-strip-colour: the template has no skin part");
const ids = rasterizeUv(uvs, indices, W, H, [{ first: skin.firstIndex / 3, count: skin.indexCount / 3 }]);

/** 1 = upper strip, 2 = lower strip, 0 = neither. */
const strip = new Uint8Array(W * H);
[head.rig.lidRight, head.rig.lidLeft].forEach((loop, side) => {
  // The loop runs lower lid first, then the upper lid back to its start (HeadRig).
  const halves = [
    { label: 1, line: [...loop.subarray(loop.length / 2), loop[0]], weight: rig.upperLid[side], above: true },
    { label: 2, line: [...loop.subarray(0, loop.length / 2 + 1)], weight: rig.lowerLid[side], above: false },
  ];
  for (const half of halves) {
    for (let p = 0; p < W * H; p++) {
      const t = ids.triangle[p];
      if (t < 0) continue;
      const b1 = ids.b1[p], b2 = ids.b2[p];
      const w = (1 - b1 - b2) * half.weight[indices[3 * t]] + b1 * half.weight[indices[3 * t + 1]] + b2 * half.weight[indices[3 * t + 2]];
      if (w < MOVES) continue;
      const x = (p % W) + 0.5, y = Math.floor(p / W) + 0.5;
      let distance = Infinity, above = false;
      for (let k = 0; k + 1 < half.line.length; k++) {
        const [a, b] = [half.line[k], half.line[k + 1]];
        const d = segmentDistance(uvs[2 * a] * W, uvs[2 * a + 1] * H, uvs[2 * b] * W, uvs[2 * b + 1] * H, x, y);
        if (d < distance) [distance, above] = [d, y < ((uvs[2 * a + 1] + uvs[2 * b + 1]) / 2) * H];
      }
      if (above === half.above && distance >= STRIP[0] && distance < STRIP[1] + 1) strip[p] = half.label;
    }
  }
});

/** Mean CIELAB of a map over each strip. */
async function stripLab(file: string): Promise<[number, number, number][]> {
  const rgb = await sharp(file).removeAlpha().resize(W, H, { kernel: "cubic" }).raw().toBuffer();
  const sums = [new Float64Array(4), new Float64Array(4)];
  for (let p = 0; p < W * H; p++) {
    if (!strip[p]) continue;
    const lab = linearSrgbToLab(srgbToLinear(rgb[3 * p] / 255), srgbToLinear(rgb[3 * p + 1] / 255), srgbToLinear(rgb[3 * p + 2] / 255));
    const s = sums[strip[p] - 1];
    (s[0] += lab[0]), (s[1] += lab[1]), (s[2] += lab[2]), s[3]++;
  }
  return sums.map((s) => [s[0] / s[3], s[1] / s[3], s[2] / s[3]]);
}

const hue = (lab: number[]) => (Math.atan2(lab[2], lab[1]) * 180) / Math.PI;
const chromaPerL = (lab: number[]) => Math.hypot(lab[1], lab[2]) / lab[0];
const show = (lab: number[]) => `${lab.map((v) => v.toFixed(1)).join(" ")}, h ${hue(lab).toFixed(0)}°, C*/L* ${chromaPerL(lab).toFixed(2)}`;

console.log("| job | map | upper strip L* a* b* | lower strip L* a* b* | h upper − lower | C*/L* upper / lower | ΔE00 |");
console.log("|---|---|---|---|---|---|---|");
for (const job of jobs) {
  for (const map of ["texture", "albedo_diffuse"]) {
    const [upper, lower] = await stripLab(path.join(job, "maps", `${map}.png`));
    console.log(`| ${path.basename(job)} | ${map} | ${show(upper)} | ${show(lower)} | ${(hue(upper) - hue(lower)).toFixed(1)}° | ${(chromaPerL(upper) / chromaPerL(lower)).toFixed(2)} | ${ciede2000(upper, lower).toFixed(1)} |`);
  }
}
