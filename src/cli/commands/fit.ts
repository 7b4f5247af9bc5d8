/**
 * `porelight fit <photo> [--face N] [--json] [--overlay out.png]`: captures the face, fits the
 * template head, prints pose, flags, camera and the landmark reprojection error; --overlay writes
 * the fitted head blended over the photo with the photo's landmarks (red) and the fitted head's
 * landmark vertices (green).
 */
import type { Command } from "commander";
import { buildTemplateHead } from "../../geometry/template-head.ts";
import { decodeImage } from "../../image/decode.ts";
import { encodePng } from "../../image/encode.ts";
import { writeFileAtomic } from "../../io/write-atomic.ts";
import { capture } from "../../pipeline/capture.ts";
import { fit } from "../../pipeline/fit.ts";
import { project } from "../../pipeline/fit/pose.ts";
import { renderOverlay } from "../../render/overlay.ts";
import { CliError } from "../errors.ts";
import { modelProgress } from "./capture.ts";

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

export function register(program: Command): void {
  program
    .command("fit <photo>")
    .description("fit the template head to the photo's face: camera, pose, reprojection error, optional overlay")
    .option("--face <n>", "which face, 0 = largest", "0")
    .option("--json", "print JSON")
    .option("--overlay <png>", "write the fitted head drawn over the photo")
    .action(async (photo: string, opts: { face: string; json?: boolean; overlay?: string }) => {
      const face = Number(opts.face);
      if (!Number.isInteger(face) || face < 0) throw new CliError(`--face must be a whole number ≥ 0; got "${opts.face}"`, 2);
      const { image, info } = await decodeImage(photo);
      const captured = await capture({ image }, { face }, { onModelProgress: modelProgress });
      const head = buildTemplateHead();
      const result = fit({ capture: captured, head, lens: info.lens });
      const c = result.camera;
      const summary = {
        photo,
        faces: captured.faces.length,
        faceIndex: captured.faceIndex,
        pose: { yawDeg: round(captured.pose.yawDeg, 1), pitchDeg: round(captured.pose.pitchDeg, 1), rollDeg: round(captured.pose.rollDeg, 1) },
        flags: Object.fromEntries(Object.entries(captured.flags).filter(([k]) => k !== "notes")),
        notes: captured.flags.notes,
        camera: { width: c.width, height: c.height, fx: round(c.fx, 2), fy: round(c.fy, 2), cx: c.cx, cy: c.cy, rotation: Array.from(c.rotation, (v) => round(v, 5)), translation: Array.from(c.translation, (v) => round(v, 5)) },
        cameraEstimate: result.cameraEstimate,
        reprojectionErrorPx: round(result.reprojectionErrorPx),
        interocularPx: round(result.interocularPx, 1),
        relativeError: round(result.reprojectionErrorPx / result.interocularPx, 5),
        visibleVertices: result.vertexVisibility.reduce((s, v) => s + v, 0),
      };
      if (opts.overlay) {
        const fitted = new Float64Array(2 * 478), q = new Float64Array(2);
        for (let i = 0; i < 478; i++) {
          project(c, result.mesh.positions, q, 3 * head.landmarkVertices[i]);
          fitted.set(q, 2 * i);
        }
        const photoPts = Float64Array.from({ length: 2 * 478 }, (_, k) => captured.landmarks[3 * (k >> 1) + (k & 1)]);
        const r = Math.max(1, result.interocularPx / 90);
        const overlay = renderOverlay(image, result.mesh, c, {
          parts: head.parts,
          dots: [
            { points: photoPts, color: [1, 0.1, 0.1], radius: r * 1.4 },
            { points: fitted, color: [0.1, 1, 0.2], radius: r * 0.8 },
          ],
        });
        await writeFileAtomic(opts.overlay, await encodePng(overlay));
      }
      if (opts.json) process.stdout.write(JSON.stringify(summary) + "\n");
      else {
        process.stdout.write(
          `${photo}: face ${summary.faceIndex} of ${summary.faces}; yaw ${summary.pose.yawDeg}°, pitch ${summary.pose.pitchDeg}°, roll ${summary.pose.rollDeg}°\n` +
            `  reprojection error ${summary.reprojectionErrorPx} px = ${(100 * summary.relativeError).toFixed(2)} % of the eye distance (${summary.interocularPx} px)\n` +
            `  flags ${Object.entries(summary.flags).filter(([, v]) => v).map(([k]) => k).join(", ") || "none"}${opts.overlay ? `; overlay ${opts.overlay}` : ""}\n`,
        );
      }
    });
}
