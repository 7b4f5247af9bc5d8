/**
 * The identity-set evaluation's reports: summary.json (stable keys, below), summary.md (the
 * table docs/evaluation.md quotes) and index.html (one row per person: each photo beside the
 * canonical renders of its reconstruction).
 *
 * summary.json keys that scripts may rely on:
 *   crossPhotoIdentity: { genuine, impostor, photosGenuine, photosImpostor, eer, photosEer }
 *   shapeConsistency:   { withinMm, betweenMm, ratio, faceWithinMm, faceBetweenMm }
 *   toneConsistency:    { withinDeltaE, betweenDeltaE }
 *   people: { <person>: { photos, identity, shape, tone } }
 * Every figure is null when there was nothing to measure (e.g. `--reuse` runs tone only).
 */
import type { AlbedoScaleCues } from "../src/types.ts";
import { CANONICAL_TURNS_DEG } from "./canonical-view.ts";
import type { ShapeStats } from "./shape-consistency.ts";
import type { PairStats, TonePhoto } from "./tone-consistency.ts";
import { escapeHtml } from "./summary.ts";
import type { VerificationStats } from "./verification.ts";

/** One photo's row: its images (paths relative to the output directory) and tone. */
export interface IdentitySetPhoto {
  person: string;
  name: string;
  failure: string | null;
  /** The photo's face crop and the canonical renders, PNG paths; null when the head was not measured. */
  images: { photo: string; views: string[] } | null;
  /** Reprojection error of the fit, % of the inter-ocular distance. */
  fitErrorOfInterocularPct: number | null;
  /**
   * `cues`: which cue decided the photo's albedo scale and colour (report.json's lighting.albedoScale.cues);
   * `response`: the camera curve the photo was decoded with (report.json's lighting.response: contrast k
   * and what decided it); each null when delight did not run or reported none.
   */
  tone: Pick<TonePhoto, "lab" | "ita" | "seenLab"> & { cues: AlbedoScaleCues | null; response: { contrast: number; decided: string } | null };
}

export interface IdentitySetFigures {
  dir: string;
  preset: string;
  /** Renders of the reconstructions (mean over views) and the photos themselves. */
  renders: VerificationStats | null;
  photos: VerificationStats | null;
  /** Each head's renders against the other photos (genuine: the same person's other photos). */
  rendersToPhotos: VerificationStats | null;
  /** Each view alone (CANONICAL_TURNS_DEG order). */
  perView: VerificationStats[] | null;
  shapeSkin: ShapeStats | null;
  shapeFace: ShapeStats | null;
  tone: PairStats;
  toneSeen: PairStats;
  rows: IdentitySetPhoto[];
  wallMs: number;
}

const ratioOf = (a: number | null | undefined, b: number | null | undefined) => (a != null && b != null && b !== 0 ? a / b : null);

/** summary.json's content. */
export function identitySetSummary(f: IdentitySetFigures) {
  const people = [...new Set(f.rows.map((r) => r.person))];
  return {
    version: 1,
    dir: f.dir,
    preset: f.preset,
    photos: f.rows.length,
    reconstructed: f.rows.filter((r) => !r.failure).length,
    wallMs: f.wallMs,
    crossPhotoIdentity: {
      genuine: f.renders?.genuine ?? null,
      impostor: f.renders?.impostor ?? null,
      photosGenuine: f.photos?.genuine ?? null,
      photosImpostor: f.photos?.impostor ?? null,
      eer: f.renders?.eer ?? null,
      photosEer: f.photos?.eer ?? null,
    },
    crossPhotoIdentityDetail: {
      scoring: `mean over the views (${CANONICAL_TURNS_DEG.map((d) => `${d}°`).join(", ")}) of the FaceRes cosine between the same views of two reconstructions`,
      gap: f.renders?.gap ?? null,
      photosGap: f.photos?.gap ?? null,
      /** The renders' gap as a share of the photos' (issue 12's target ≥ 0.6). */
      gapShareOfPhotos: ratioOf(f.renders?.gap, f.photos?.gap),
      genuinePairs: f.renders?.genuinePairs ?? 0,
      impostorPairs: f.renders?.impostorPairs ?? 0,
      rendersToPhotos: f.rendersToPhotos ? { genuine: f.rendersToPhotos.genuine, impostor: f.rendersToPhotos.impostor, gap: f.rendersToPhotos.gap, eer: f.rendersToPhotos.eer } : null,
      perView: f.perView ? Object.fromEntries(f.perView.map((v, k) => [`turn${CANONICAL_TURNS_DEG[k]}`, { genuine: v.genuine, impostor: v.impostor, gap: v.gap, eer: v.eer }])) : null,
    },
    shapeConsistency: {
      withinMm: f.shapeSkin?.withinMm ?? null,
      betweenMm: f.shapeSkin?.betweenMm ?? null,
      ratio: f.shapeSkin?.ratio ?? null,
      faceWithinMm: f.shapeFace?.withinMm ?? null,
      faceBetweenMm: f.shapeFace?.betweenMm ?? null,
    },
    shapeConsistencyDetail: {
      units: "millimetres in the fitted mesh's (the template's) metric frame, after a similarity alignment with scale, surface-area weighted",
      faceRatio: f.shapeFace?.ratio ?? null,
    },
    toneConsistency: { withinDeltaE: f.tone.within, betweenDeltaE: f.tone.between },
    toneConsistencyDetail: { ratio: f.tone.ratio, seenWithinDeltaE: f.toneSeen.within, seenBetweenDeltaE: f.toneSeen.between, seenRatio: f.toneSeen.ratio },
    people: Object.fromEntries(
      people.map((p) => [
        p,
        {
          photos: f.rows.filter((r) => r.person === p).map((r) => r.name),
          identity: { genuine: f.renders?.perPerson[p]?.genuine ?? null, impostor: f.renders?.perPerson[p]?.impostor ?? null, renderToPhotosGenuine: f.rendersToPhotos?.perPerson[p]?.genuine ?? null, photosGenuine: f.photos?.perPerson[p]?.genuine ?? null, photosImpostor: f.photos?.perPerson[p]?.impostor ?? null },
          shape: { withinMm: f.shapeSkin?.perPerson[p] ?? null, faceWithinMm: f.shapeFace?.perPerson[p] ?? null },
          tone: { withinDeltaE: f.tone.perPerson[p]?.within ?? null, seenWithinDeltaE: f.toneSeen.perPerson[p]?.within ?? null },
        },
      ]),
    ),
    perPhoto: f.rows,
  };
}

export type IdentitySetSummary = ReturnType<typeof identitySetSummary>;

const n = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d));

/** summary.md: the set's table and one line per person. */
export function identitySetMarkdown(s: IdentitySetSummary): string {
  const c = s.crossPhotoIdentity, cd = s.crossPhotoIdentityDetail, sh = s.shapeConsistency, t = s.toneConsistency;
  const lines = [
    `# porelight identity-set evaluation`,
    ``,
    `${s.photos} photos of ${Object.keys(s.people).length} people from \`${s.dir}\`, preset \`${s.preset}\`, ${s.reconstructed} reconstructed; ${n(s.wallMs / 60000, 1)} min.`,
    ``,
    `| measure | within a person (genuine) | between people (impostor) | gap or ratio | EER |`,
    `| --- | --- | --- | --- | --- |`,
    `| identity, canonical renders (FaceRes cosine, mean of ${CANONICAL_TURNS_DEG.join("° and ")}° views) | ${n(c.genuine, 3)} | ${n(c.impostor, 3)} | gap ${n(cd.gap, 3)} (${n(cd.gapShareOfPhotos, 2)} of the photos') | ${n(c.eer, 3)} |`,
    ...Object.entries(cd.perView ?? {}).map(([k, v]) => `| … ${k.replace("turn", "")}° view alone | ${n(v.genuine, 3)} | ${n(v.impostor, 3)} | gap ${n(v.gap, 3)} | ${n(v.eer, 3)} |`),
    `| identity, a head's renders vs the other photos | ${n(cd.rendersToPhotos?.genuine, 3)} | ${n(cd.rendersToPhotos?.impostor, 3)} | gap ${n(cd.rendersToPhotos?.gap, 3)} | ${n(cd.rendersToPhotos?.eer, 3)} |`,
    `| identity, the photos themselves (ceiling) | ${n(c.photosGenuine, 3)} | ${n(c.photosImpostor, 3)} | gap ${n(cd.photosGap, 3)} | ${n(c.photosEer, 3)} |`,
    `| shape, whole skin: aligned RMS, mm | ${n(sh.withinMm, 2)} | ${n(sh.betweenMm, 2)} | ratio ${n(sh.ratio, 2)} | |`,
    `| shape, face only: aligned RMS, mm | ${n(sh.faceWithinMm, 2)} | ${n(sh.faceBetweenMm, 2)} | ratio ${n(s.shapeConsistencyDetail.faceRatio, 2)} | |`,
    `| skin tone: ΔE00 of the facial A_D mean | ${n(t.withinDeltaE, 2)} | ${n(t.betweenDeltaE, 2)} | ratio ${n(s.toneConsistencyDetail.ratio, 2)} | |`,
    ``,
    `| person | photos | renders genuine / impostor | photos genuine / impostor | shape within mm (face) | tone within ΔE00 |`,
    `| --- | --- | --- | --- | --- | --- |`,
    ...Object.entries(s.people).map(
      ([p, v]) =>
        `| ${p} | ${v.photos.length} | ${n(v.identity.genuine, 3)} / ${n(v.identity.impostor, 3)} | ${n(v.identity.photosGenuine, 3)} / ${n(v.identity.photosImpostor, 3)} | ${n(v.shape.withinMm, 2)} (${n(v.shape.faceWithinMm, 2)}) | ${n(v.tone.withinDeltaE, 2)} |`,
    ),
  ];
  lines.push(``, ...toneCueTable(s.perPhoto));
  const failed = s.perPhoto.filter((r) => r.failure);
  if (failed.length) lines.push(``, `Failed: ${failed.map((r) => `${r.person}/${r.name} (${r.failure})`).join("; ")}`);
  return lines.join("\n") + "\n";
}

/**
 * Per photo, what fixed its skin tone: the facial A_D mean, which cue decided the scale (the
 * references' weight) and the colour, the skin luminance each cue implies (the prior under the
 * scene's light and as weighed, under the combined white balance) with the prior's σ of ln Y, and
 * the sclera's pure pixels or why it was not used. Where the tone differs across one person's
 * photos, this says which cue moved.
 */
export function toneCueTable(rows: IdentitySetPhoto[]): string[] {
  const y = (v: number | null | undefined) => n(v, 3);
  return [
    `| photo | L* a* b* (ITA) | scale decided by (reference weight) | colour decided by (weight) | skin Y: prior / as weighed / sclera / teeth → combined | prior σ ln Y | camera curve k (decided) | sclera |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- |`,
    ...rows.map((r) => {
      const l = r.tone.lab, c = r.tone.cues;
      const lab = l ? `${n(l[0], 1)} ${n(l[1], 1)} ${n(l[2], 1)} (${n(r.tone.ita, 0)}°)` : "–";
      const curve = r.tone.response ? `${n(r.tone.response.contrast, 2)} (${r.tone.response.decided})` : "–";
      if (!c) return `| ${r.person}/${r.name} | ${lab} | – | – | – | – | ${curve} | – |`;
      const k = c.skinY;
      const sclera = c.sclera.used ? `${c.sclera.pixels} px` : `${c.sclera.pixels} px: ${c.sclera.reason}`;
      return `| ${r.person}/${r.name} | ${lab} | ${c.decided} (${n(c.referenceWeight.luminance, 2)}) | ${c.decidedColour} (${n(c.referenceWeight.colour, 2)}) | ${y(k.prior)} / ${y(k.priorWeighed)} / ${y(k.sclera)} / ${y(k.teeth)} → ${y(k.combined)} | ${n(c.priorSigmaLnY, 2)} | ${curve} | ${sclera} |`;
    }),
  ];
}

/** One person's row of figures: each photo, then its canonical renders, side by side. */
export function personRowHtml(title: string, facts: string, photos: IdentitySetPhoto[]): string {
  const cells = photos.map((r) => {
    const label = `<figcaption>${escapeHtml(r.name)}${r.fitErrorOfInterocularPct !== null ? ` · fit ${n(r.fitErrorOfInterocularPct, 1)} % IOD` : ""}${r.failure ? ` · <b>failed</b>: ${escapeHtml(r.failure)}` : ""}</figcaption>`;
    const imgs = r.images ? [r.images.photo, ...r.images.views].map((src) => `<img src="${escapeHtml(src)}" width="256" height="256" loading="lazy" alt="">`).join("") : "";
    return `<figure>${imgs}${label}</figure>`;
  });
  return `<section><h3>${escapeHtml(title)}</h3><p>${facts}</p>${cells.join("\n")}</section>`;
}

/** A page: a preformatted table, then the rows. */
export function pageHtml(title: string, table: string, rows: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{background:#18181a;color:#ddd;font:14px/1.45 system-ui,sans-serif;margin:24px}pre{white-space:pre-wrap;background:#222;padding:12px}section{margin:18px 0 28px}h3{margin:0 0 4px}p{margin:0 0 6px;color:#aaa}figure{display:inline-block;margin:0 16px 12px 0;vertical-align:top}figure img{margin-right:2px}figcaption{color:#aaa;font-size:12px}</style>
</head><body>
<pre>${escapeHtml(table)}</pre>
${rows.join("\n")}
</body></html>
`;
}

/** index.html of the identity set: the table, then one row per person (photo | frontal | 30° for each photo). */
export function identitySetHtml(s: IdentitySetSummary, md: string): string {
  const rows = Object.entries(s.people).map(([p, v]) => {
    const facts = `renders genuine ${n(v.identity.genuine, 3)}, impostor ${n(v.identity.impostor, 3)} · photos genuine ${n(v.identity.photosGenuine, 3)}, impostor ${n(v.identity.photosImpostor, 3)} · shape within ${n(v.shape.withinMm, 2)} mm (face ${n(v.shape.faceWithinMm, 2)} mm) · tone within ΔE00 ${n(v.tone.withinDeltaE, 2)} · each photo: photo | frontal render | ${CANONICAL_TURNS_DEG[1]}° render`;
    return personRowHtml(p, facts, s.perPhoto.filter((r) => r.person === p));
  });
  return pageHtml("porelight identity-set evaluation", md, rows);
}
