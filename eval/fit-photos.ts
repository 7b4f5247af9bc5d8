/**
 * The landmark fit over a directory of photos (`npm run eval -- <photos-dir> --fit`): capture and
 * fit only, no maps, so the whole of ../shared/photos takes minutes rather than the full
 * evaluation's hour. Per photo, the landmark reprojection error as a share of the inter-ocular
 * distance, held to 2 % (the report only flags a "poor_fit" above 5 %). With an overlay directory,
 * also the silhouette term's figures and one overlay PNG per photo (eval/fit-overlay.ts).
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { decodeImage } from "../src/image/decode.ts";
import { capture } from "../src/pipeline/capture.ts";
import { encodePng } from "../src/image/encode.ts";
import { fit } from "../src/pipeline/fit.ts";
import { fitOverlay, type OutlineFigures } from "./fit-overlay.ts";
import { listPhotos } from "./run.ts";

/** Reprojection error above this share of the inter-ocular distance counts as a failed fit. */
export const FIT_ERROR_BOUND = 0.02;

/** One photo's fit: absent figures when no face was found. */
export interface FitRow {
  name: string;
  yawDeg?: number;
  errorPx?: number;
  /** errorPx over the inter-ocular distance in pixels. */
  errorOfInterocular?: number;
  /** The silhouette term's figures (with overlays only). */
  outline?: OutlineFigures;
}

export interface FitEvaluation {
  rows: FitRow[];
  /** Photos where a face was found and fitted. */
  fitted: number;
  /** Fitted photos whose error is above FIT_ERROR_BOUND. */
  above: string[];
}

/**
 * Captures and fits every photo of `dir` (or those named in `only`), one line per photo to `log`.
 * A photo without a face is a result ("no face"); any other error stops the run.
 */
export async function evaluateFit(dir: string, only: string[] = [], log: (line: string) => void = () => {}, overlaysDir?: string): Promise<FitEvaluation> {
  const head = buildTemplateHead();
  if (overlaysDir) await mkdir(overlaysDir, { recursive: true });
  const rows: FitRow[] = [];
  for (const name of await listPhotos(dir, only)) {
    const { image, info } = await decodeImage(path.join(dir, name));
    let captured;
    try {
      captured = await capture({ image });
    } catch (err) {
      if ((err as Error).name !== "NoFaceFound") throw err;
      rows.push({ name });
      log(`${name}: no face`);
      continue;
    }
    const overlay = overlaysDir ? fitOverlay(captured, head, info.lens) : undefined;
    const r = overlay?.fitted ?? fit({ capture: captured, head, lens: info.lens });
    const row: FitRow = { name, yawDeg: captured.pose.yawDeg, errorPx: r.reprojectionErrorPx, errorOfInterocular: r.reprojectionErrorPx / r.interocularPx, outline: overlay?.figures };
    rows.push(row);
    const o = overlay?.figures;
    const outline = o ? ` · outline ${(100 * o.beforeIod).toFixed(2)} → ${(100 * o.afterIod).toFixed(2)} % IOD (${o.pairsBefore} → ${o.pairsAfter} points) · fit ${o.msBefore.toFixed(0)} → ${o.msAfter.toFixed(0)} ms` : "";
    log(`${name}: yaw ${row.yawDeg!.toFixed(1)}° error ${row.errorPx!.toFixed(2)} px = ${(100 * row.errorOfInterocular!).toFixed(2)} % IOD${outline}`);
    if (overlay && overlaysDir) {
      const file = path.join(overlaysDir, name.replace(/\.[a-z]+$/i, ".png"));
      await writeFile(`${file}.tmp`, await encodePng(overlay.image, { bitDepth: 8 }));
      await rename(`${file}.tmp`, file);
    }
  }
  const fittedRows = rows.filter((r) => r.errorOfInterocular !== undefined);
  return { rows, fitted: fittedRows.length, above: fittedRows.filter((r) => r.errorOfInterocular! > FIT_ERROR_BOUND).map((r) => r.name) };
}
