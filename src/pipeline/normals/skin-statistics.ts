/**
 * Per-region statistics of facial skin microgeometry, millimetres, with where each number comes
 * from. Tags as in ../shared/reference/skin-reflectance.md: P primary, 2° secondary note, D derived
 * here, H heuristic (no measurement found; the reason for the value is given).
 *
 * Measured anchors (reference §4 unless stated):
 * - facial pores 0.2–0.5 mm across, 10–90 per cm² [2°, note citing PMC4337418, PMC9838641];
 *   Flament et al. 2015 (2,585 women, cheeks, dermatoscope) count pores above a 250 µm detection
 *   threshold [P, abstract]; dilated pores are more common on the nose and forehead than on the
 *   cheek, and rise with age (Jung et al. 2014, Dermavision, forehead/cheek/nose) [P, abstract].
 * - microrelief: primary and secondary lines form polygons 20–200 µm deep (Bibb 2006, p. 264)
 *   [P]; primary lines 20–100 µm [2°]; 1.0 ± 0.7 closed polygons per mm² on young adults'
 *   forearms, 3.1 on children's (Trojahn et al. 2014, Skin Res Technol) [P, abstract]; the
 *   plateaus are triangles and rhombi, the hair follicles open where furrows cross (dermatology
 *   and cosmetic-science glossaries cited in relief.ts) [2°]. Network model and its numbers:
 *   relief.ts and MICROGEOMETRY_DEFAULTS.
 * - wrinkles: Lemperle et al. 2001 grade 1 nasolabial ↔ depth < 0.2 mm [P abstract + book].
 *   Takema et al. 1997 (replicas of 8 facial areas, 136 women; Skin Res Technol 3:95): the
 *   age-correlation of wrinkle depth is highest at the eye corners, then mouth angles, glabella,
 *   nasolabial groove, upper then lower eyelids, forehead, lowest on the cheeks [P, abstract].
 * - the nose has the lowest Beckmann roughness of the face "because of few small wrinkles"
 *   (Weyrich et al. 2006, 149 subjects, 10 regions) [2° via S20].
 * - epidermis thickest on the upper lip (62.6 µm), thinnest behind the ear (29.6 µm); eyelid
 *   dermis thinnest (Chopra et al. 2015, 39 sites on 10 cadaver heads, Aesthet Surg J 35:1007)
 *   [P, abstract]: ears and eyelids get shallower relief.
 * - tension-line directions (Langer 1861, Borges' relaxed skin tension lines; reviewed by Kim
 *   et al. 2017 "Revisiting the skin lines on the forehead and glabellar area" [P, abstract]):
 *   horizontal on the forehead, radial at the lateral eye corner (crow's feet), radial round the
 *   mouth (perioral and lip lines), oblique down and in on the cheeks, horizontal on the neck.
 *
 * Not found (reference §6): per-region pore counts and sizes, wrinkle widths, furrow widths and
 * the along/across depth ratio of furrows. Those values below are H, chosen inside the measured ranges with the order the
 * studies above report.
 */
import { FACE_REGIONS, type FaceRegion } from "../../types.ts";

/** How a region's fine lines are oriented in the atlas (u right, v down). */
export type LineOrientation = "horizontal" | "radial-eye" | "radial-mouth" | "eye-to-mouth";

export interface RegionMicroStats {
  /** Pore opening diameter, mm. */
  poreDiameterMm: number;
  /** Pores per cm² (visible, ≥ 0.2 mm). */
  poreDensityPerCm2: number;
  /** Depth of the pore's funnel, mm. */
  poreDepthMm: number;
  /** Multiplier of the microrelief depths (primary and secondary lines). */
  reliefScale: number;
  /** Fine lines (short grooves along tension lines) per cm². */
  lineDensityPerCm2: number;
  /** Depth of a fine line, mm. */
  lineDepthMm: number;
  lineOrientation: LineOrientation;
}

/**
 * Region table. Pore sizes and densities: within 0.2–0.5 mm and 10–90 /cm² [2°], ordered nose >
 * forehead > chin > cheeks (Jung 2014; cheeks at Flament's 250 µm threshold) [H order from P];
 * pore depth H: a funnel with wall slope ≈ 0.6 (depth ≈ 0.4 × radius), so that under a grazing
 * light the pore shades on one side as in macro photographs. Relief depth multipliers: nose ×0.5
 * (Weyrich 2006, few small wrinkles), ears ×0.5 and eyelids ×0.7 (thinnest skin, Chopra 2015),
 * vermilion 0 (no follicles, no microrelief polygons on the lip's red: only the lip lines).
 * Fine-line depths 15–40 µm H, well under Lemperle's grade-1 0.2 mm, deepest where Takema 1997
 * finds wrinkles develop first (eye corners, mouth). Hair-bearing regions (brows, scalp): mild.
 */
export const REGION_MICRO_STATS: Record<FaceRegion | "other", RegionMicroStats> = {
  forehead: { poreDiameterMm: 0.3, poreDensityPerCm2: 50, poreDepthMm: 0.06, reliefScale: 1, lineDensityPerCm2: 3, lineDepthMm: 0.03, lineOrientation: "horizontal" },
  nose: { poreDiameterMm: 0.36, poreDensityPerCm2: 80, poreDepthMm: 0.07, reliefScale: 0.5, lineDensityPerCm2: 1, lineDepthMm: 0.015, lineOrientation: "horizontal" },
  cheeks: { poreDiameterMm: 0.26, poreDensityPerCm2: 30, poreDepthMm: 0.05, reliefScale: 1, lineDensityPerCm2: 2, lineDepthMm: 0.02, lineOrientation: "eye-to-mouth" },
  lips: { poreDiameterMm: 0, poreDensityPerCm2: 0, poreDepthMm: 0, reliefScale: 0, lineDensityPerCm2: 12, lineDepthMm: 0.03, lineOrientation: "radial-mouth" },
  chin: { poreDiameterMm: 0.28, poreDensityPerCm2: 45, poreDepthMm: 0.055, reliefScale: 0.9, lineDensityPerCm2: 1.5, lineDepthMm: 0.025, lineOrientation: "horizontal" },
  eyelids: { poreDiameterMm: 0.2, poreDensityPerCm2: 10, poreDepthMm: 0.03, reliefScale: 0.7, lineDensityPerCm2: 5, lineDepthMm: 0.035, lineOrientation: "radial-eye" },
  brows: { poreDiameterMm: 0.2, poreDensityPerCm2: 10, poreDepthMm: 0.03, reliefScale: 0.4, lineDensityPerCm2: 0.5, lineDepthMm: 0.015, lineOrientation: "horizontal" },
  scalp: { poreDiameterMm: 0.2, poreDensityPerCm2: 10, poreDepthMm: 0.03, reliefScale: 0.3, lineDensityPerCm2: 0, lineDepthMm: 0, lineOrientation: "horizontal" },
  ears: { poreDiameterMm: 0.2, poreDensityPerCm2: 15, poreDepthMm: 0.03, reliefScale: 0.5, lineDensityPerCm2: 0.5, lineDepthMm: 0.015, lineOrientation: "horizontal" },
  neck: { poreDiameterMm: 0.2, poreDensityPerCm2: 15, poreDepthMm: 0.035, reliefScale: 0.8, lineDensityPerCm2: 2, lineDepthMm: 0.03, lineOrientation: "horizontal" },
  other: { poreDiameterMm: 0.22, poreDensityPerCm2: 20, poreDepthMm: 0.04, reliefScale: 0.8, lineDensityPerCm2: 1, lineDepthMm: 0.02, lineOrientation: "horizontal" },
};

/** Regions in the order of RegionMaps' channels, then "other" (the remainder of each texel's weights). */
export const MICRO_REGION_KEYS: readonly (FaceRegion | "other")[] = [...FACE_REGIONS, "other"];
