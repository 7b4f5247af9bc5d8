/**
 * The evaluation's totals and its three reports: summary.json (stable keys), summary.md (tables)
 * and index.html (one strip per photo, worst first).
 */
import type { StageName } from "../src/types.ts";
import { FACE_REGIONS, STAGES } from "../src/types.ts";
import { SKIN_LOCUS_Y_RANGE } from "../src/pipeline/delight/albedo-scale.ts";
import { cosine } from "./identity.ts";
import { linearFit, setStats, type SetStats } from "./metrics.ts";
import type { PhotoMeasures } from "./photo.ts";

/** One photo's line of the report. */
export interface PhotoRecord {
  name: string;
  ok: boolean;
  /** Why the photo has no result: the stage that failed (or "eval"), the error code, the message. */
  failure: { stage: string; code: string; message: string } | null;
  /** Capture's view of the photo, when capture ran. */
  pose: { yawDeg: number; pitchDeg: number; rollDeg: number } | null;
  flags: string[];
  measures: PhotoMeasures | null;
  /** Identity cosine of this photo against the other photos of the set: mean and highest. */
  impostor: { mean: number; max: number; maxWith: string } | null;
  /** Wall times (ms) per stage, of the whole reconstruction, of the evaluation, in all; cpuMs: this process's CPU time (user + system) for the photo, less sensitive to a busy machine. */
  timing: { stagesMs: Partial<Record<StageName, number>>; reconstructMs: number; evalMs: number; totalMs: number; cpuMs: number };
  /** Peak resident memory while this photo ran (reconstruction and evaluation), bytes. */
  peakRssBytes: number;
  /** Resident memory after this photo, live data only (after a full garbage collection), bytes: growth from photo to photo is memory the process keeps. */
  rssAfterBytes: number;
  /** Path of the strip PNG relative to the output directory. */
  strip: string;
}

/** Ours, the baseline and their difference (ours − baseline, per photo), over the set. */
export interface Comparison {
  ours: SetStats;
  baseline: SetStats;
  oursMinusBaseline: SetStats;
}

export interface Totals {
  photos: number;
  succeeded: number;
  failed: number;
  identity: Comparison & { mirror: SetStats; impostorMean: SetStats; impostorMax: SetStats };
  /** Identity with each re-render composited under the photo's own hair and occluders. */
  identityHairComposite: Comparison;
  psnr: Comparison;
  ssim: Comparison;
  clippedFraction: Comparison;
  residualShading: Comparison & { oursAbs: SetStats; baselineAbs: SetStats };
  ita: { albedo: SetStats; photo: SetStats; bias: SetStats; biasSlopePerDegree: number | null };
  /** Clean skin (issue 13, ours only): median ΔE00 across the seen region's border, share of upper-face texels outside the skin model, iris ΔE00. */
  borderDeltaE: SetStats;
  /** The border from farther out (eval/seam-checks.ts): interior-to-fill ΔE00, and the sideways rim off that way (the temple line). */
  borderWideDeltaE: SetStats;
  borderLineDeltaE: SetStats;
  contamination: SetStats;
  irisDeltaE: SetStats;
  /** Expression (issue 16): share of A_D's lip region that is tooth-coloured, and of the completed photo texture's (eval/expression-checks.ts); landmark error (share of IOD) of the head as photographed and of the neutral head. */
  lipToothShare: SetStats;
  lipToothShareTexture: SetStats;
  landmarkErrorIod: SetStats;
  neutralLandmarkErrorIod: SetStats;
  /** Facial skin luminance Y the albedo-scale prior aimed at, per photo. */
  albedoTargetLuminance: SetStats;
  /** Photos whose albedo scale ended on an end of the skin-locus prior (ISSA's facial range, delight/albedo-scale.ts SKIN_LOCUS_Y_RANGE). */
  onPriorBound: number;
  timing: { stagesMs: Partial<Record<StageName, SetStats>>; reconstructMs: SetStats; evalMs: SetStats; totalMs: SetStats; cpuMs: SetStats };
  peakRssBytes: SetStats;
  /** Resident memory kept after the first and after the last photo, and the mean growth per photo in between, bytes. */
  retainedRss: { afterFirstBytes: number; afterLastBytes: number; growthPerPhotoBytes: number };
  /** N_S's detail per region over the photos: RMS slope against the mesh normal, and the mean spectrum (power per band of `bandsCyclesPerMm` of the first photo). */
  normalDetail: Partial<Record<(typeof FACE_REGIONS)[number], { slopeRms: SetStats; spectrumMean: number[] }>> & { bandsCyclesPerMm?: number[] };
  /** Lowest three (highest for residual shading) by each headline measure of ours. */
  worst3: { identity: string[]; psnr: string[]; ssim: string[]; residualShading: string[] };
}

/** Fills each record's impostor level from the photo descriptors of the others. */
export function fillImpostors(records: PhotoRecord[], embeddings: Map<string, Float32Array>): void {
  for (const r of records) {
    const mine = embeddings.get(r.name);
    if (!mine) continue;
    let sum = 0, n = 0, max = -Infinity, maxWith = "";
    for (const [other, e] of embeddings) {
      if (other === r.name) continue;
      const c = cosine(mine, e);
      sum += c;
      n++;
      if (c > max) {
        max = c;
        maxWith = other;
      }
    }
    r.impostor = n ? { mean: sum / n, max, maxWith } : null;
  }
}

function compare(ok: PhotoRecord[], pick: (m: PhotoMeasures) => { ours: number; baseline: number }): Comparison {
  const v = ok.map((r) => pick(r.measures!));
  return { ours: setStats(v.map((x) => x.ours)), baseline: setStats(v.map((x) => x.baseline)), oursMinusBaseline: setStats(v.map((x) => x.ours - x.baseline)) };
}

function worst(ok: PhotoRecord[], value: (m: PhotoMeasures) => number, highestIsWorst = false): string[] {
  return ok
    .filter((r) => Number.isFinite(value(r.measures!)))
    .sort((a, b) => (highestIsWorst ? -1 : 1) * (value(a.measures!) - value(b.measures!)))
    .slice(0, 3)
    .map((r) => r.name);
}

export function totals(records: PhotoRecord[]): Totals {
  const ok = records.filter((r) => r.ok && r.measures);
  const stagesMs: Partial<Record<StageName, SetStats>> = {};
  for (const s of STAGES) {
    const v = records.map((r) => r.timing.stagesMs[s]).filter((x): x is number => x !== undefined);
    if (v.length) stagesMs[s] = setStats(v);
  }
  const shading = compare(ok, (m) => m.albedo.residualShading);
  const bias = ok.map((r) => r.measures!.albedo.ita.bias);
  const photoIta = ok.map((r) => r.measures!.albedo.ita.photo);
  return {
    photos: records.length,
    succeeded: ok.length,
    failed: records.length - ok.length,
    identity: {
      ...compare(ok, (m) => m.identity),
      mirror: setStats(ok.map((r) => r.measures!.identity.mirror)),
      impostorMean: setStats(ok.map((r) => r.impostor?.mean)),
      impostorMax: setStats(ok.map((r) => r.impostor?.max)),
    },
    identityHairComposite: compare(ok, (m) => m.identityHairComposite),
    psnr: compare(ok, (m) => m.psnr),
    ssim: compare(ok, (m) => m.ssim),
    clippedFraction: compare(ok, (m) => m.albedo.clipped),
    residualShading: {
      ...shading,
      oursAbs: setStats(ok.map((r) => Math.abs(r.measures!.albedo.residualShading.ours))),
      baselineAbs: setStats(ok.map((r) => Math.abs(r.measures!.albedo.residualShading.baseline))),
    },
    ita: {
      albedo: setStats(ok.map((r) => r.measures!.albedo.ita.albedo)),
      photo: setStats(photoIta),
      bias: setStats(bias),
      biasSlopePerDegree: linearFit(photoIta, bias)?.slope ?? null,
    },
    borderDeltaE: setStats(ok.map((r) => r.measures!.borderDeltaE)),
    borderWideDeltaE: setStats(ok.map((r) => r.measures!.borderWideDeltaE ?? null)),
    borderLineDeltaE: setStats(ok.map((r) => r.measures!.borderLineDeltaE ?? null)),
    contamination: setStats(ok.map((r) => r.measures!.contamination)),
    irisDeltaE: setStats(ok.map((r) => r.measures!.irisDeltaE)),
    lipToothShare: setStats(ok.map((r) => r.measures!.expression?.lipToothShare ?? null)),
    lipToothShareTexture: setStats(ok.map((r) => r.measures!.expression?.lipToothShareTexture ?? null)),
    landmarkErrorIod: setStats(ok.map((r) => r.measures!.expression?.landmarkErrorIod ?? null)),
    neutralLandmarkErrorIod: setStats(ok.map((r) => r.measures!.expression?.neutralLandmarkErrorIod ?? null)),
    albedoTargetLuminance: setStats(ok.map((r) => r.measures!.lighting.targetLuminance)),
    onPriorBound: ok.filter((r) => r.measures!.lighting.onPriorBound).length,
    timing: {
      stagesMs,
      reconstructMs: setStats(records.map((r) => r.timing.reconstructMs)),
      evalMs: setStats(records.map((r) => r.timing.evalMs)),
      totalMs: setStats(records.map((r) => r.timing.totalMs)),
      cpuMs: setStats(records.map((r) => r.timing.cpuMs)),
    },
    peakRssBytes: setStats(records.map((r) => r.peakRssBytes)),
    retainedRss: {
      afterFirstBytes: records[0]?.rssAfterBytes ?? 0,
      afterLastBytes: records[records.length - 1]?.rssAfterBytes ?? 0,
      growthPerPhotoBytes: records.length > 1 ? (records[records.length - 1].rssAfterBytes - records[0].rssAfterBytes) / (records.length - 1) : 0,
    },
    normalDetail: normalDetailTotals(ok),
    worst3: {
      identity: worst(ok, (m) => m.identity.ours),
      psnr: worst(ok, (m) => m.psnr.ours),
      ssim: worst(ok, (m) => m.ssim.ours),
      residualShading: worst(ok, (m) => Math.abs(m.albedo.residualShading.ours), true),
    },
  };
}

function normalDetailTotals(ok: PhotoRecord[]): Totals["normalDetail"] {
  const out: Totals["normalDetail"] = {};
  const withDetail = ok.filter((r) => r.measures!.normalDetail);
  if (withDetail.length === 0) return out;
  const bands = withDetail[0].measures!.normalDetail.bandsCyclesPerMm;
  out.bandsCyclesPerMm = bands;
  for (const region of FACE_REGIONS) {
    const per = withDetail.map((r) => r.measures!.normalDetail.regions[region]).filter((d) => d !== undefined);
    if (per.length === 0) continue;
    const spectrumMean = bands.slice(1).map((_, i) => per.reduce((s, d) => s + (d.spectrum[i] ?? 0), 0) / per.length);
    out[region] = { slopeRms: setStats(per.map((d) => d.slopeRms)), spectrumMean };
  }
  return out;
}

const f = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));
const signed = (v: number | null | undefined, digits: number) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : (v >= 0 ? "+" : "") + v.toFixed(digits));

/** Run facts printed with the tables. */
export interface RunInfo {
  photosDir: string;
  preset: string;
  machine: string;
  wallMs: number;
}

/** The Markdown report: headline table (ours vs baseline), context, failures, per-photo table. */
export function summaryMarkdown(t: Totals, records: PhotoRecord[], info: RunInfo): string {
  const row = (label: string, c: Comparison, d: number, better: string) =>
    `| ${label} | ${f(c.ours.mean, d)} / ${f(c.ours.median, d)} | ${f(c.baseline.mean, d)} / ${f(c.baseline.median, d)} | ${signed(c.oursMinusBaseline.mean, d)} / ${signed(c.oursMinusBaseline.median, d)} | ${better} |`;
  const lines = [
    `# porelight evaluation`,
    ``,
    `${t.photos} photos from \`${info.photosDir}\`, preset \`${info.preset}\`, ${t.succeeded} reconstructed, ${t.failed} failed; ${(info.wallMs / 60000).toFixed(1)} min on ${info.machine}.`,
    ``,
    `| measure (mean / median over photos) | ours | baseline (photo texture as albedo) | ours − baseline | better |`,
    `| --- | --- | --- | --- | --- |`,
    row("identity: cosine, photo vs re-render", t.identity, 3, "higher"),
    row("identity, re-render under the photo's hair and occluders", t.identityHairComposite, 3, "higher"),
    row("PSNR over face skin, dB", t.psnr, 2, "higher"),
    row("SSIM over face skin", t.ssim, 3, "higher"),
    row("albedo texels clipped at 0 or 1", t.clippedFraction, 4, "lower"),
    row("residual shading r(log albedo, log shading)", t.residualShading, 3, "nearer 0"),
    ``,
    `- Clean skin (ours; mean / median / max): border ΔE00 ${f(t.borderDeltaE.mean, 2)} / ${f(t.borderDeltaE.median, 2)} / ${f(t.borderDeltaE.max, 2)} (target median ≤ 2), wide ${f(t.borderWideDeltaE.mean, 2)} / ${f(t.borderWideDeltaE.median, 2)} / ${f(t.borderWideDeltaE.max, 2)}, temple line ${f(t.borderLineDeltaE.mean, 2)} / ${f(t.borderLineDeltaE.median, 2)} / ${f(t.borderLineDeltaE.max, 2)}; contamination ${f(100 * (t.contamination.mean ?? NaN), 2)} / ${f(100 * (t.contamination.median ?? NaN), 2)} / ${f(100 * (t.contamination.max ?? NaN), 2)} % (≤ 1 %); iris ΔE00 ${f(t.irisDeltaE.mean, 1)} / ${f(t.irisDeltaE.median, 1)} / ${f(t.irisDeltaE.max, 1)} over ${t.irisDeltaE.count} photos with open eyes (≤ 10).`,
    `- Expression (mean / median / max): tooth-coloured share of A_D's lips ${f(100 * (t.lipToothShare.mean ?? NaN), 2)} / ${f(100 * (t.lipToothShare.median ?? NaN), 2)} / ${f(100 * (t.lipToothShare.max ?? NaN), 2)} % (≤ 1 %), of the photo texture's ${f(100 * (t.lipToothShareTexture.mean ?? NaN), 2)} / ${f(100 * (t.lipToothShareTexture.median ?? NaN), 2)} / ${f(100 * (t.lipToothShareTexture.max ?? NaN), 2)} %; landmark error of the head as photographed ${f(100 * (t.landmarkErrorIod.mean ?? NaN), 2)} / ${f(100 * (t.landmarkErrorIod.median ?? NaN), 2)} / ${f(100 * (t.landmarkErrorIod.max ?? NaN), 2)} % IOD, of the neutral head ${f(100 * (t.neutralLandmarkErrorIod.mean ?? NaN), 2)} / ${f(100 * (t.neutralLandmarkErrorIod.median ?? NaN), 2)} / ${f(100 * (t.neutralLandmarkErrorIod.max ?? NaN), 2)} % IOD.`,
    `- Identity context: photo vs its mirror image ${f(t.identity.mirror.mean, 3)} (ceiling); photo vs the other photos ${f(t.identity.impostorMean.mean, 3)} on average, ${f(t.identity.impostorMax.max, 3)} at most (impostor level).`,
    `- |residual shading|: ours ${f(t.residualShading.oursAbs.mean, 3)}, baseline ${f(t.residualShading.baselineAbs.mean, 3)}.`,
    `- Skin tone (ITA°, cheeks and forehead): photo ${f(t.ita.photo.mean, 1)}, A_D ${f(t.ita.albedo.mean, 1)}; bias A_D − photo ${signed(t.ita.bias.mean, 1)} (median ${signed(t.ita.bias.median, 1)}, range ${f(t.ita.bias.min, 1)} … ${f(t.ita.bias.max, 1)}), slope of the bias against the photo's ITA ${signed(t.ita.biasSlopePerDegree, 3)} per degree (0 = the same shift for every skin tone).`,
    `- De-lighting's albedo scale: facial skin luminance Y aimed at ${f(t.albedoTargetLuminance.mean, 3)} on average (${f(t.albedoTargetLuminance.min, 3)} … ${f(t.albedoTargetLuminance.max, 3)}); a light is as much too bright as the albedo is too dark, which the re-render shows in its specular. On a bound of the prior (Y ${SKIN_LOCUS_Y_RANGE.map((v) => v.toFixed(3)).join(" or ")}): ${t.onPriorBound} of ${t.succeeded} photos.`,
    `- Time per photo: ${f((t.timing.totalMs.mean ?? NaN) / 1000, 1)} s mean, ${f((t.timing.totalMs.max ?? NaN) / 1000, 1)} s worst (reconstruction ${f((t.timing.reconstructMs.mean ?? NaN) / 1000, 1)} s, evaluation ${f((t.timing.evalMs.mean ?? NaN) / 1000, 1)} s); CPU time ${f((t.timing.cpuMs.mean ?? NaN) / 1000, 1)} s per photo (both cores count); peak RSS ${f((t.peakRssBytes.median ?? NaN) / 2 ** 20, 0)} MiB median, ${f((t.peakRssBytes.max ?? NaN) / 2 ** 20, 0)} MiB worst.`,
    `- Memory kept between photos (RSS after a full GC): ${f(t.retainedRss.afterFirstBytes / 2 ** 20, 0)} MiB after the first photo, ${f(t.retainedRss.afterLastBytes / 2 ** 20, 0)} MiB after the last (${signed(t.retainedRss.growthPerPhotoBytes / 2 ** 20, 0)} MiB per photo).`,
    `- Stage times, mean ms: ${Object.entries(t.timing.stagesMs).map(([s, v]) => `${s} ${f(v!.mean, 0)}`).join(", ")}.`,
    `- Worst 3 (ours): identity ${t.worst3.identity.join(", ") || "–"}; PSNR ${t.worst3.psnr.join(", ") || "–"}; SSIM ${t.worst3.ssim.join(", ") || "–"}; residual shading ${t.worst3.residualShading.join(", ") || "–"}.`,
  ];
  const bands = t.normalDetail.bandsCyclesPerMm;
  if (bands) {
    lines.push(
      ``,
      `## N_S detail per region`,
      ``,
      `RMS slope of N_S against the mesh normal (mean / min … max over photos), and the mean power of the detail's x slope per band of cycles/mm (docs/evaluation.md has the reference values).`,
      ``,
      `| region | slope RMS | ${bands.slice(1).map((b, i) => `${bands[i].toFixed(2)}–${b.toFixed(2)}`).join(" | ")} |`,
      `| --- | --- | ${bands.slice(1).map(() => "---").join(" | ")} |`,
    );
    for (const region of FACE_REGIONS) {
      const d = t.normalDetail[region];
      if (d) lines.push(`| ${region} | ${f(d.slopeRms.mean, 3)} (${f(d.slopeRms.min, 3)} … ${f(d.slopeRms.max, 3)}) | ${d.spectrumMean.map((v) => v.toExponential(1)).join(" | ")} |`);
    }
  }
  const failed = records.filter((r) => !r.ok);
  if (failed.length) {
    lines.push(``, `## Failures`, ``, `| photo | stage | code | reason |`, `| --- | --- | --- | --- |`);
    for (const r of failed) lines.push(`| ${r.name} | ${r.failure?.stage ?? "?"} | ${r.failure?.code ?? "?"} | ${(r.failure?.message ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
  }
  lines.push(
    ``,
    `## Per photo`,
    ``,
    `| photo | yaw° | identity ours / base / mirror | under hair ours / base | PSNR ours / base | SSIM ours / base | ITA photo → A_D | A_D skin Y (decided by) | clipped | residual r ours / base | border ΔE (wide, line) | contam. % | iris ΔE | s | peak MiB |`,
    `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  );
  for (const r of records) {
    const m = r.measures;
    const time = f(r.timing.totalMs / 1000, 1), rss = f(r.peakRssBytes / 2 ** 20, 0);
    if (!m) {
      lines.push(`| ${r.name} | ${f(r.pose?.yawDeg, 0)} | failed: ${r.failure?.stage ?? "?"} | | | | | | | | | | | ${time} | ${rss} |`);
      continue;
    }
    lines.push(
      `| ${r.name} | ${f(r.pose?.yawDeg, 0)} | ${f(m.identity.ours, 3)} / ${f(m.identity.baseline, 3)} / ${f(m.identity.mirror, 3)} | ${f(m.identityHairComposite.ours, 3)} / ${f(m.identityHairComposite.baseline, 3)} | ${f(m.psnr.ours, 2)} / ${f(m.psnr.baseline, 2)} | ${f(m.ssim.ours, 3)} / ${f(m.ssim.baseline, 3)} | ${f(m.albedo.ita.photo, 1)} → ${f(m.albedo.ita.albedo, 1)} (L* ${f(m.albedo.ita.photoLb[0], 0)} → ${f(m.albedo.ita.albedoLb[0], 0)}) | ${f(m.lighting.targetLuminance, 3)}${m.lighting.onPriorBound ? " (bound)" : ""} (${m.lighting.decided ?? "fixed"}) | ${f(m.albedo.clipped.ours, 4)} | ${f(m.albedo.residualShading.ours, 3)} / ${f(m.albedo.residualShading.baseline, 3)} | ${f(m.borderDeltaE, 2)} (${f(m.borderWideDeltaE, 2)}, ${f(m.borderLineDeltaE, 2)}) | ${f(m.contamination === null ? null : 100 * m.contamination, 2)} | ${f(m.irisDeltaE, 1)} | ${time} | ${rss} |`,
    );
  }
  return lines.join("\n") + "\n";
}

export function escapeHtml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
}

/** index.html: the headline table, then every photo's strip, failures first, then by identity (lowest first). */
export function indexHtml(summaryMd: string, records: PhotoRecord[]): string {
  const order = [...records].sort((a, b) => {
    if (a.ok !== b.ok) return a.ok ? 1 : -1;
    return (a.measures?.identity.ours ?? 0) - (b.measures?.identity.ours ?? 0);
  });
  const table = summaryMd.split("\n## Per photo")[0];
  const rows = order.map((r) => {
    const m = r.measures;
    const facts = m
      ? `identity ${f(m.identity.ours, 3)} (baseline ${f(m.identity.baseline, 3)}, mirror ${f(m.identity.mirror, 3)}; under the photo's hair ${f(m.identityHairComposite.ours, 3)}, baseline ${f(m.identityHairComposite.baseline, 3)}) · PSNR ${f(m.psnr.ours, 2)} dB (baseline ${f(m.psnr.baseline, 2)}) · SSIM ${f(m.ssim.ours, 3)} (${f(m.ssim.baseline, 3)}) · ITA ${f(m.albedo.ita.photo, 1)}° → ${f(m.albedo.ita.albedo, 1)}° · residual r ${f(m.albedo.residualShading.ours, 3)} (${f(m.albedo.residualShading.baseline, 3)}) · border ΔE ${f(m.borderDeltaE, 2)} (wide ${f(m.borderWideDeltaE, 2)}, line ${f(m.borderLineDeltaE, 2)}) · contamination ${f(m.contamination === null ? null : 100 * m.contamination, 2)} % · iris ΔE ${f(m.irisDeltaE, 1)} · lips tooth-coloured ${f(m.expression?.lipToothShare == null ? null : 100 * m.expression.lipToothShare, 2)} % (photo texture ${f(m.expression?.lipToothShareTexture == null ? null : 100 * m.expression.lipToothShareTexture, 2)} %) · landmarks ${f(m.expression ? 100 * m.expression.landmarkErrorIod : null, 2)} % IOD (neutral ${f(m.expression?.neutralLandmarkErrorIod == null ? null : 100 * m.expression.neutralLandmarkErrorIod, 2)}) · expression ${m.expression ? Object.entries(m.expression.weights).filter(([, v]) => v >= 0.1).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", ") || "neutral" : "—"}`
      : `<b>failed</b> in ${escapeHtml(r.failure?.stage ?? "?")}: ${escapeHtml(r.failure?.message ?? "")}`;
    const flags = r.flags.length ? ` · flags: ${escapeHtml(r.flags.join(", "))}` : "";
    return `<section id="${escapeHtml(r.name)}"><h3>${escapeHtml(r.name)}</h3><p>${facts}${flags} · ${f(r.timing.totalMs / 1000, 1)} s</p><img src="${escapeHtml(r.strip)}" alt="${escapeHtml(r.name)}" loading="lazy"></section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>porelight evaluation</title>
<style>body{background:#18181a;color:#ddd;font:14px/1.45 system-ui,sans-serif;margin:24px}pre{white-space:pre-wrap;background:#222;padding:12px}img{max-width:100%;display:block}section{margin:18px 0 28px}h3{margin:0 0 4px}p{margin:0 0 6px;color:#aaa}</style>
</head><body>
<pre>${escapeHtml(table)}</pre>
${rows.join("\n")}
</body></html>
`;
}
