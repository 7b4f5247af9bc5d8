/**
 * What the contaminated texels of A_D are (eval/skin-checks.ts's contamination, issue 13): each
 * flagged upper-face texel is sorted by how it was seen, which way it leaves the skin colour model,
 * whether the photo itself is already off there (photo content: hair, shadow, make-up, a red nose)
 * or only the albedo is (de-lighting's residue), which capture mask covers its projection, and its
 * region. Read with the yellow texels of eval/mask-overlay.ts / eval/head-views.ts.
 *
 * The whole pipeline at draft, minutes per photo:
 *   node --import tsx eval/contamination-causes.ts <photos-dir> [a.jpg,b.png]
 */
import { linearSrgbToLab } from "../src/primitives/color.ts";
import type { ImageF32, StageResults } from "../src/types.ts";
import { toBaseLinear } from "./albedo-checks.ts";
import { weightedMedian } from "./metrics.ts";
import { outsideSkin, project, skinColourModel, skinFeatureFreeMask, skinZ, UPPER_FACE_REGIONS, upperFaceMask, upperFaceRegions } from "./skin-checks.ts";

/** Confidence from which a texel counts as well seen (unwrap's facing × masks), and from which as seen at all (skin-checks' SEEN). */
const WELL_SEEN = 0.3;
const SEEN = 0.05;
/** Confidence of the cheek texels whose photo → albedo ratio scales the photo's colour to the albedo's. */
const GAIN_CONFIDENCE = 0.7;
/** A mask value from which the mask is taken to cover a pixel. */
const MASK_COVERS = 0.5;

/** Shares (0..1) of the contaminated texels per category, and how many there are of how many measured. */
export interface ContaminationCauses {
  texels: number;
  measured: number;
  /** well: confidence ≥ 0.3; weak: ≥ 0.05; mirror: unseen but its mirror texel seen; fill: neither. */
  seen: Record<"well" | "weak" | "mirror" | "fill", number>;
  /** The Lab axis along which the texel is farthest from the model: lightness down or up, a* up or down. */
  direction: Record<"darker" | "lighter" | "redder" | "greener", number>;
  /** Of the seen ones: the photo's own colour (brought to albedo scale) is outside the model too, or only the albedo is. */
  photo: Record<"alsoOff" | "onlyAlbedo", number>;
  /** Capture's masks at the texel's projection: occluder, hair, spectacles, facial hair, or none of them. */
  mask: Record<"occluder" | "hair" | "spectacles" | "facialHair" | "none", number>;
  /** The texel's strongest region. */
  region: Record<"forehead" | "nose" | "cheeks", number>;
  /**
   * Who let it in: seen where capture's masks call the photo skin (the masks missed it, or the
   * photo's skin itself is off: folds, marks, de-lighting's residue); masked (occluder, hair or
   * spectacles at its projection) yet off-colour: its small remaining weight, the mirror or the
   * fill brought a colour back (capture found it; unwrap and complete let it in); unseen and
   * unmasked (facing away: the fill's own).
   */
  origin: Record<"seenUnmasked" | "masked" | "unseenUnmasked", number>;
}

const maskAt = (m: ImageF32 | undefined, photo: ImageF32, x: number, y: number): number => {
  if (!m) return 0;
  const i = Math.min(m.width - 1, Math.max(0, Math.floor((x * m.width) / photo.width)));
  const j = Math.min(m.height - 1, Math.max(0, Math.floor((y * m.height) / photo.height)));
  return m.data[(j * m.width + i) * m.channels];
};

/** Sorts the contaminated texels of one reconstruction; null when the check has too few texels. */
export function contaminationCauses(stages: Pick<StageResults, "capture" | "fit" | "unwrap" | "delight">): ContaminationCauses | null {
  const { capture: cap, fit, unwrap: u, delight: d } = stages;
  const W = u.confidence.width, H = u.confidence.height, N = W * H;
  const albedo = toBaseLinear(d.albedo, W, H);
  const face = upperFaceMask(stages, skinFeatureFreeMask(stages));
  const region = upperFaceRegions(u.regions);
  const model = skinColourModel(albedo, face, region);
  if (!model) return null;
  const conf = u.confidence.data;
  // The photo's colour at albedo scale: per channel, the ratio of A_D to T over well-seen face skin.
  const weights = Float32Array.from({ length: N }, (_, p) => (face[p] && conf[p] >= GAIN_CONFIDENCE ? 1 : 0));
  const gain = [0, 1, 2].map((c) => weightedMedian(Float32Array.from({ length: N }, (_, p) => albedo[3 * p + c]), weights) / weightedMedian(Float32Array.from({ length: N }, (_, p) => u.texture.data[3 * p + c]), weights));
  const out: ContaminationCauses = {
    texels: 0, measured: 0,
    seen: { well: 0, weak: 0, mirror: 0, fill: 0 },
    direction: { darker: 0, lighter: 0, redder: 0, greener: 0 },
    photo: { alsoOff: 0, onlyAlbedo: 0 },
    mask: { occluder: 0, hair: 0, spectacles: 0, facialHair: 0, none: 0 },
    region: { forehead: 0, nose: 0, cheeks: 0 },
    origin: { seenUnmasked: 0, masked: 0, unseenUnmasked: 0 },
  };
  const pc = new Float64Array(3), pos = u.position.data;
  for (let p = 0; p < N; p++) {
    if (!face[p]) continue;
    out.measured++;
    const lab = linearSrgbToLab(albedo[3 * p], albedo[3 * p + 1], albedo[3 * p + 2]);
    if (!outsideSkin(lab, model, region[p])) continue;
    out.texels++;
    const z = skinZ(lab, model, region[p]);
    out.direction[Math.abs(z[0]) >= Math.hypot(z[1], z[2]) ? (z[0] < 0 ? "darker" : "lighter") : z[1] >= 0 ? "redder" : "greener"]++;
    const x = p % W, mirror = conf[p - x + (W - 1 - x)];
    out.seen[conf[p] >= WELL_SEEN ? "well" : conf[p] >= SEEN ? "weak" : mirror >= SEEN ? "mirror" : "fill"]++;
    if (conf[p] >= SEEN) {
      const t = u.texture.data;
      out.photo[outsideSkin(linearSrgbToLab(t[3 * p] * gain[0], t[3 * p + 1] * gain[1], t[3 * p + 2] * gain[2]), model, region[p]) ? "alsoOff" : "onlyAlbedo"]++;
    }
    const xy = project(fit.camera, pos[3 * p], pos[3 * p + 1], pos[3 * p + 2], pc);
    let hidden = false;
    if (xy) {
      const m = cap.masks;
      const covering = (["occluder", "hair", "spectacles", "facialHair"] as const).find((k) => maskAt(m[k], cap.image, xy[0], xy[1]) >= MASK_COVERS);
      out.mask[covering ?? "none"]++;
      hidden = covering !== undefined && covering !== "facialHair";
    }
    out.origin[hidden ? "masked" : conf[p] >= SEEN ? "seenUnmasked" : "unseenUnmasked"]++;
    out.region[UPPER_FACE_REGIONS[region[p]]]++;
  }
  for (const group of [out.seen, out.direction, out.photo, out.mask, out.region, out.origin] as Record<string, number>[]) {
    const total = Object.values(group).reduce((a, b) => a + b, 0);
    for (const k of Object.keys(group)) group[k] = total > 0 ? group[k] / total : 0;
  }
  return out;
}

/** One line per group, percentages. */
export function formatCauses(c: ContaminationCauses): string {
  const pct = (g: Record<string, number>) => Object.entries(g).map(([k, v]) => `${k} ${(100 * v).toFixed(0)}`).join(", ");
  return [
    `contaminated ${c.texels} of ${c.measured} texels (${((100 * c.texels) / Math.max(1, c.measured)).toFixed(2)} %)`,
    `  seen: ${pct(c.seen)}`,
    `  direction: ${pct(c.direction)}`,
    `  photo: ${pct(c.photo)}`,
    `  mask: ${pct(c.mask)}`,
    `  region: ${pct(c.region)}`,
    `  origin: ${pct(c.origin)}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [dir, only] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write("usage: node --import tsx eval/contamination-causes.ts <photos-dir> [a.jpg,b.png]\n");
    process.exit(2);
  }
  const { readFile } = await import("node:fs/promises");
  const path = await import("node:path");
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const { listPhotos } = await import("./run.ts");
  const { disposeSessions } = await import("../src/models/session.ts");
  for (const name of await listPhotos(dir, only ? only.split(",") : [])) {
    try {
      const stages: Partial<StageResults> = {};
      await reconstruct(new Uint8Array(await readFile(path.join(dir, name))), { preset: "draft", face: 0, formats: ["glb"] }, { onStageResult: (stage, value) => void Object.assign(stages, { [stage]: value }) });
      const causes = contaminationCauses(stages as StageResults);
      process.stdout.write(`${name}: ${causes ? formatCauses(causes) : "too few face texels"}\n`);
    } catch (err) {
      process.stdout.write(`${name}: ${(err as Error).message}\n`);
    }
  }
  await disposeSessions();
}
