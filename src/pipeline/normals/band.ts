/**
 * The unit of microgeometry's streaming: a band of rows of the full-size height field, and the
 * scale at which features are drawn into it (shared by the relief network and the stamped features).
 */
/** A band of rows [y0, y1) of the full-size atlas, with `halo` extra rows above and below. */
export interface Band {
  y0: number;
  y1: number;
  halo: number;
  width: number;
  /** Height below the skin's plateau, mm (≤ 0), rows y0 − halo … y1 + halo − 1. */
  height: Float32Array;
  /** Specular lost to cavities, 0..1 (sum over features of (1 − visible fraction at the bottom) × relative depth). */
  loss: Float32Array;
}

/** How features are drawn at a given texel size. */
export interface StampScale {
  /** mm per full-size texel. */
  texelMm: number;
  /** Full-size texels per base-field texel (full width / field width). */
  fullPerBase: number;
  /** Features narrower than this many texels are widened to it, depth lowered to keep their cross-section. */
  minFeatureTexels: number;
  seed: number;
}
