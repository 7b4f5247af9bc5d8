/**
 * Pore-level microgeometry for N_S and A_S (issue 15): a height field below the skin's plateau,
 * synthesised per facial region in millimetres — pores, the polygonal microrelief of primary and
 * secondary lines, fine lines along tension lines (statistics and sources in skin-statistics.ts)
 * — procedural and seeded from the photo, so it never tiles and is the same bytes for the same
 * photo. The scale is in mm of the atlas at every preset; a coarser map only resolves less:
 * features narrower than `minFeatureTexels` are widened with their cross-section kept, and
 * scales that no longer fit are dropped.
 *
 * The same synthesis gives both maps, texel for texel: N_S gets its slopes (reoriented normal
 * mapping onto ρ's N_S), A_S loses the specular that cavities hide. It streams over bands of rows
 * (no full-size buffer beyond the maps themselves).
 */
import type { ImageF32, RegionMaps } from "../../types.ts";
import { withDefaults } from "../stage.ts";
import { stampLines, stampPores } from "./features.ts";
import type { Band, StampScale } from "./band.ts";
import { FIELD, regionFields, type RegionFields } from "./region-fields.ts";
import { addNetwork, networkShare } from "./relief.ts";
import { REGION_MICRO_STATS, type RegionMicroStats } from "./skin-statistics.ts";

/** What the synthesis needs to know about the head's atlas. */
export interface MicroSurface {
  /** Region maps from unwrap (any size with the atlas' aspect); null = all "other skin". */
  regions: RegionMaps | null;
  /** Unwrap's coverage (1 inside UV islands): no detail in gutters and holes. Optional. */
  coverage?: ImageF32 | null;
  /** Seed from the photo (seedFromSha256 of its SHA-256). */
  seed: number;
}

export interface MicrogeometryOptions {
  /** Multiplier of every depth (1 = the table's measured-range values; 0 = off). */
  strength?: number;
  /** Multipliers per component. */
  poreStrength?: number;
  reliefStrength?: number;
  lineStrength?: number;
  /** Primary furrow network: lattice spacing (node to node), deepest groove, groove half-width, mm. */
  primaryCellMm?: number;
  primaryDepthMm?: number;
  primaryHalfWidthMm?: number;
  /** Share of the primary lattice's edges dropped (two triangles become a rhombus), 0..1. */
  primaryDropFraction?: number;
  /** How much shallower a primary furrow across the tension direction is than one along it, 0..1. */
  primaryAlignedContrast?: number;
  /** Secondary lines subdividing the primary polygons: spacing, depth, half-width, mm. */
  secondaryCellMm?: number;
  secondaryDepthMm?: number;
  secondaryHalfWidthMm?: number;
  /** Share of the secondary lattice's edges dropped, 0..1. */
  secondaryDropFraction?: number;
  /** As primaryAlignedContrast, for the secondary lines. */
  secondaryAlignedContrast?: number;
  /** Atlas stretch (surface mm per atlas mm, area mean) up to which the furrow network is drawn in full, and from which not at all. */
  networkStretchFade?: [number, number];
  /** Fine lines along tension lines: half-width and length range, mm. */
  lineHalfWidthMm?: number;
  lineLengthMm?: [number, number];
  /** Narrowest feature drawn, texels (narrower ones are widened, keeping their cross-section). */
  minFeatureTexels?: number;
  /** Share of ρ's photo-derived detail kept on brows, scalp and the lips' border (their albedo edges are hair and colour, not relief). */
  photoDetailOnHair?: number;
  /** Lower bound of A_S's cavity factor. */
  minCavityFactor?: number;
  /** Per-region statistics. */
  regionStats?: Record<string, RegionMicroStats>;
  /** Rows per streamed band. */
  bandRows?: number;
}

export const MICROGEOMETRY_DEFAULTS: Required<MicrogeometryOptions> = {
  strength: 1,
  poreStrength: 1,
  reliefStrength: 1,
  lineStrength: 1,
  // Primary lines 20–100 µm deep [2°], polygons 20–200 µm (Bibb 2006) [P]: 40 µm at the deepest
  // (each furrow 0.4–1 of it), secondary 15 µm. Cell size: Trojahn et al. 2014 (Skin Res Technol,
  // 38 subjects, Visioscan) count 1.0 ± 0.7 closed polygons per mm² on young adults' forearms
  // (3.1 on children's) [P, abstract]; a lattice of 0.8 mm with a third of its edges dropped has
  // (1 − ⅓)·3 − 1 = 1 face per node, 2/(√3·0.64) = 1.8 per mm², inside that spread, with
  // triangles of 0.8 mm sides and rhombi of two such triangles. Furrow widths not found
  // (reference §6): 70 µm primary, 40 µm secondary H (narrower than deep, as profilometry
  // shows V-shaped furrows); the secondary lattice ≈ 0.35 mm, two to three per primary edge H.
  primaryCellMm: 0.8,
  primaryDepthMm: 0.04,
  primaryHalfWidthMm: 0.035,
  primaryDropFraction: 1 / 3,
  // Furrows along the tension lines deeper than across (Barbenel: roughness depends on the
  // profile's direction to the major grooves) [P abstract]; the ratio not found: 0.35 H (across
  // ones 0.74 as deep on average and 1.2× as often dropped as the mean; along ones 0.65×).
  primaryAlignedContrast: 0.35,
  secondaryCellMm: 0.35,
  secondaryDepthMm: 0.015,
  secondaryHalfWidthMm: 0.02,
  secondaryDropFraction: 0.45,
  secondaryAlignedContrast: 0.25,
  // The network is laid out in atlas mm: where the atlas is stretched by s (scalp and neck ≈ 8,
  // ears ≈ 3: RegionMaps.texelAxesMm over the median) its 1.8 polygons per mm² become 1.8/s².
  // Drawn in full while that stays within Trojahn 2014's 1.0 ± 0.7 per mm² at s = 2 (0.45), faded
  // out by 0.3 (mean − 1 SD) at s = 2.45; beyond, only its mean cavity loss goes into A_S.
  networkStretchFade: [2, 2.45],
  // Fine lines: shallower than Lemperle's grade-1 wrinkles (< 0.2 mm deep); width H: 0.24 mm
  // across, several times their 15–40 µm depth, a soft crease (0.14 mm drew needles in close-ups).
  lineHalfWidthMm: 0.12,
  lineLengthMm: [1.5, 5],
  minFeatureTexels: 1.5,
  photoDetailOnHair: 0,
  minCavityFactor: 0.5,
  regionStats: REGION_MICRO_STATS,
  bandRows: 96,
};

/** Hash streams of the two furrow networks (the pores sit on the primary one's nodes). */
const STREAM_PRIMARY = 101;
const STREAM_SECONDARY = 103;
/** Primary furrows' shoulder, × their half-width: the plateaus dome over about a third of a 0.8 mm cell at ultra's widths (H; relief.ts). */
const PRIMARY_SHOULDER = 3;

/** The synthesis for one map size: streams bands of height and occlusion. */
export class MicroSynthesis {
  readonly o: Required<MicrogeometryOptions>;
  readonly field: RegionFields;
  readonly scale: StampScale;
  private readonly colX0: Int32Array;
  private readonly colFx: Float32Array;
  private buffers = { height: new Float32Array(0), loss: new Float32Array(0), relief: new Float32Array(0), share: new Float32Array(0), depth: new Float32Array(0), netLoss: new Float32Array(0) };

  constructor(
    readonly width: number,
    readonly height: number,
    readonly texelMm: number,
    surface: MicroSurface,
    options: MicrogeometryOptions = {},
  ) {
    if (!(texelMm > 0)) throw new Error(`microgeometry: texelSizeMm must be > 0, got ${texelMm}`);
    this.o = withDefaults(MICROGEOMETRY_DEFAULTS, options);
    const rw = surface.regions?.weights;
    const baseW = rw?.width ?? Math.max(1, Math.round(width / 8)), baseH = rw?.height ?? Math.max(1, Math.round(height / 8));
    if (rw && rw.width * height !== rw.height * width) throw new Error(`microgeometry: region maps ${rw.width}×${rw.height} are not the ${width}×${height} atlas`);
    this.field = regionFields(surface.regions, surface.coverage ?? null, this.o.regionStats, baseW, baseH, (texelMm * width) / baseW);
    this.scale = { texelMm, fullPerBase: width / this.field.width, minFeatureTexels: this.o.minFeatureTexels, seed: surface.seed };
    // Horizontal bilinear taps of the base field for every full-size column (texel centres aligned).
    this.colX0 = new Int32Array(width);
    this.colFx = new Float32Array(width);
    for (let x = 0; x < width; x++) {
      const b = Math.min(this.field.width - 1, Math.max(0, (x + 0.5) / this.scale.fullPerBase - 0.5));
      this.colX0[x] = Math.min(this.field.width - 2, Math.floor(b));
      this.colFx[x] = b - this.colX0[x];
      if (this.field.width === 1) (this.colX0[x] = 0), (this.colFx[x] = 0);
    }
  }

  /** Full-size values of one base-field channel for rows [first, last], bilinear. */
  private upsample(channel: number, first: number, last: number, out: Float32Array): void {
    const f = this.field, C = FIELD.count, W = this.width;
    const rowA = new Float32Array(f.width), rowB = new Float32Array(f.width);
    for (let y = first; y <= last; y++) {
      const by = Math.min(f.height - 1, Math.max(0, (Math.min(this.height - 1, Math.max(0, y)) + 0.5) / this.scale.fullPerBase - 0.5));
      const y0 = Math.min(f.height - 1, Math.floor(by)), y1 = Math.min(f.height - 1, y0 + 1), fy = by - y0;
      for (let x = 0; x < f.width; x++) {
        rowA[x] = f.data[(y0 * f.width + x) * C + channel];
        rowB[x] = f.data[(y1 * f.width + x) * C + channel];
      }
      const o = (y - first) * W;
      for (let x = 0; x < W; x++) {
        const x0 = this.colX0[x], x1 = Math.min(f.width - 1, x0 + 1), fx = this.colFx[x];
        const a = rowA[x0] + (rowA[x1] - rowA[x0]) * fx;
        const b = rowB[x0] + (rowB[x1] - rowB[x0]) * fx;
        out[o + x] = a + (b - a) * fy;
      }
    }
  }

  /**
   * Height and occlusion for rows [y0, y1) plus `halo` rows each side (rows outside the map are
   * synthesised too, for the derivatives). The arrays are reused by the next call: off-heap
   * buffers freed only at the next major GC would otherwise pile up over the bands.
   */
  band(y0: number, y1: number, halo: number): Band {
    const W = this.width, rows = y1 - y0 + 2 * halo;
    const n = rows * W;
    if (this.buffers.height.length < n) {
      this.buffers = { height: new Float32Array(n), loss: new Float32Array(n), relief: new Float32Array(n), share: new Float32Array(n), depth: new Float32Array(n), netLoss: new Float32Array(n) };
    }
    const height = this.buffers.height.subarray(0, n), loss = this.buffers.loss.subarray(0, n), relief = this.buffers.relief.subarray(0, n), share = this.buffers.share.subarray(0, n);
    const work = { depth: this.buffers.depth.subarray(0, n), loss: this.buffers.netLoss.subarray(0, n) };
    height.fill(0);
    loss.fill(0);
    const band: Band = { y0, y1, halo, width: W, height, loss };
    const o = this.o;
    const k = o.strength;
    if (k <= 0) return band;
    this.upsample(FIELD.relief, y0 - halo, y1 + halo - 1, relief);
    const rs = o.reliefStrength * k;
    if (rs > 0) {
      this.networkShareRows(y0 - halo, y1 + halo - 1, share);
      const fade = o.networkStretchFade;
      const primary = { cellMm: o.primaryCellMm, depthMm: o.primaryDepthMm * rs, halfWidthMm: o.primaryHalfWidthMm, dropFraction: o.primaryDropFraction, alignedContrast: o.primaryAlignedContrast, shoulderWidth: PRIMARY_SHOULDER, stream: STREAM_PRIMARY, stretchFade: fade };
      const secondary = { cellMm: o.secondaryCellMm, depthMm: o.secondaryDepthMm * rs, halfWidthMm: o.secondaryHalfWidthMm, dropFraction: o.secondaryDropFraction, alignedContrast: o.secondaryAlignedContrast, shoulderWidth: 1, stream: STREAM_SECONDARY, stretchFade: fade };
      addNetwork(band, relief, share, work, this.field, this.scale, primary);
      addNetwork(band, relief, share, work, this.field, this.scale, secondary);
    }
    stampPores(band, this.field, this.scale, o.poreStrength * k, { cellMm: o.primaryCellMm, stream: STREAM_PRIMARY });
    stampLines(band, this.field, this.scale, o.lineStrength * k, o.lineHalfWidthMm, o.lineLengthMm);
    return band;
  }

  /** Share of the furrow network drawn (networkShare of the atlas stretch) for rows [first, last]. */
  private networkShareRows(first: number, last: number, out: Float32Array): void {
    const fade = this.o.networkStretchFade, f = this.field, C = FIELD.count;
    // Most bands hold no stretch past the fade (only the lofted scalp and neck, the ears do): all 1.
    const b0 = Math.max(0, Math.floor(first / this.scale.fullPerBase) - 1), b1 = Math.min(f.height - 1, Math.ceil(last / this.scale.fullPerBase) + 1);
    let most = 0;
    for (let p = b0 * f.width; p < (b1 + 1) * f.width; p++) most = Math.max(most, f.data[p * C + FIELD.areaStretch]);
    if (most <= fade[0]) {
      out.fill(1);
      return;
    }
    this.upsample(FIELD.areaStretch, first, last, out);
    for (let i = 0; i < out.length; i++) out[i] = networkShare(out[i], fade);
  }

  /** Weight of hair and lip-border regions for rows [first, last] (for suppressing ρ's photo detail there). */
  hairRows(first: number, last: number, out: Float32Array): void {
    this.upsample(FIELD.hair, first, last, out);
  }
}

/** The maps one pass of the synthesis refines, all at the synthesis' size. */
export interface MicroTargets {
  /** N_S (3 channels, unit, tangent space), modified in place. */
  normalsSpecular: ImageF32;
  /** Mesh normals N_T at N_S's size: ρ's photo detail is faded toward them on hair and lip borders. Optional. */
  normalsTangent?: ImageF32 | null;
  /** A_S (1 channel), multiplied in place by the cavity factor. Optional. */
  specularAlbedo?: ImageF32 | null;
}

/**
 * One streamed pass of the synthesis over the maps, so that N_S and A_S see the same cavities at
 * every texel. N_S: ρ's detail is first faded toward N_T on hair and lip borders
 * (`photoDetailOnHair`), then the synthesised slopes are applied by reoriented normal mapping
 * (Barré-Brisebois & Hill 2012), as ρ does for its own detail. A_S: multiplied by the cavity factor
 * (1 on the plateau, less at the bottom of pores and lines: the share of the specular lobe their
 * walls hide), floored at `minCavityFactor`.
 *
 * @example
 *   applyMicrogeometry({ normalsSpecular: ns, normalsTangent: nt, specularAlbedo: as },
 *     new MicroSynthesis(ns.width, ns.height, 0.065, { regions, seed }));
 */
export function applyMicrogeometry(targets: MicroTargets, synth: MicroSynthesis): void {
  const ns = targets.normalsSpecular, nt = targets.normalsTangent ?? null, as = targets.specularAlbedo ?? null;
  const W = ns.width, H = ns.height, t = synth.texelMm;
  if (synth.width !== W || synth.height !== H) throw new Error(`microgeometry: synthesis is ${synth.width}×${synth.height}, N_S ${W}×${H}`);
  if (ns.channels !== 3) throw new Error("microgeometry: N_S must have 3 channels");
  if (nt && (nt.width !== W || nt.height !== H || nt.channels !== 3)) throw new Error("microgeometry: N_T must be 3 channels at N_S's size");
  if (as && (as.width !== W || as.height !== H || as.channels !== 1)) throw new Error("microgeometry: A_S must be 1 channel at N_S's size");
  const keepOnHair = synth.o.photoDetailOnHair, floor = synth.o.minCavityFactor;
  const d = ns.data;
  const step = Math.max(8, synth.o.bandRows);
  const hair = new Float32Array(step * W);
  const inv2t = 1 / (2 * t);
  for (let y0 = 0; y0 < H; y0 += step) {
    const y1 = Math.min(H, y0 + step);
    const band = synth.band(y0, y1, 1);
    if (nt) synth.hairRows(y0, y1 - 1, hair);
    const h = band.height, loss = band.loss;
    for (let y = y0; y < y1; y++) {
      const r = (y - y0 + 1) * W;
      for (let x = 0; x < W; x++) {
        if (as) {
          const l = loss[r + x];
          if (l > 0) as.data[y * W + x] *= Math.max(floor, 1 - l);
        }
        const p = (y * W + x) * 3;
        let nx = d[p], ny = d[p + 1], nz = d[p + 2];
        let changed = false;
        if (nt) {
          const a = hair[(y - y0) * W + x] * (1 - keepOnHair);
          if (a > 0) {
            nx += (nt.data[p] - nx) * a;
            ny += (nt.data[p + 1] - ny) * a;
            nz += (nt.data[p + 2] - nz) * a;
            changed = true;
          }
        }
        // Slopes in mm/mm (x right, rows down); detail normal (−∂h/∂x, +∂h/∂row, 1) in glTF tangent space (+Y up the image).
        const hx = ((x + 1 < W ? h[r + x + 1] : h[r + x]) - (x > 0 ? h[r + x - 1] : h[r + x])) * inv2t;
        const hy = (h[r + W + x] - h[r - W + x]) * inv2t;
        if (hx !== 0 || hy !== 0) {
          if (changed) {
            const l = 1 / Math.max(1e-6, Math.hypot(nx, ny, nz));
            nx *= l;
            ny *= l;
            nz *= l;
          }
          // Reoriented normal mapping: t = n + (0,0,1), u = (hx, −hy, 1) (the detail (−hx, hy, 1) times (−1, −1, 1)).
          const tx = nx, ty = ny, tz = nz + 1;
          const s = (tx * hx - ty * hy + tz) / Math.max(1e-3, tz);
          nx = tx * s - hx;
          ny = ty * s + hy;
          nz = tz * s - 1;
          changed = true;
        }
        if (!changed) continue;
        const l = 1 / Math.max(1e-6, Math.hypot(nx, ny, nz));
        d[p] = nx * l;
        d[p + 1] = ny * l;
        d[p + 2] = nz * l;
      }
    }
  }
}
