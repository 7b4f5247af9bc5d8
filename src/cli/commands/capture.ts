/**
 * `porelight capture <photo> [--face N] [--json]`: faces, boxes, the chosen face's 478 landmarks,
 * head pose and quality flags. Exit 3 when there is no face, 2 for an unreadable photo.
 */
import type { Command } from "commander";
import { CliError } from "../errors.ts";
import { decodeImage } from "../../image/decode.ts";
import { capture } from "../../pipeline/capture.ts";
import * as T from "../../primitives/face-topology.ts";
import type { CaptureResult } from "../../types.ts";

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The JSON form of a capture result (masks are images: summarised as their covered areas). */
export function captureJson(photo: string, r: CaptureResult): Record<string, unknown> {
  const area = (m: { data: Float32Array }) => round(m.data.reduce((a, v) => a + v, 0), 0);
  return {
    photo,
    width: r.image.width,
    height: r.image.height,
    faces: r.faces.map((f) => ({
      box: { x: round(f.box.x, 1), y: round(f.box.y, 1), width: round(f.box.width, 1), height: round(f.box.height, 1) },
      score: round(f.score, 3),
      keypoints: Array.from({ length: f.keypoints.length / 2 }, (_, i) => [round(f.keypoints[2 * i], 1), round(f.keypoints[2 * i + 1], 1)]),
    })),
    faceIndex: r.faceIndex,
    landmarks: Array.from({ length: r.landmarks.length / 3 }, (_, i) => [round(r.landmarks[3 * i]), round(r.landmarks[3 * i + 1]), round(r.landmarks[3 * i + 2])]),
    landmarkConfidence: Array.from(r.landmarkConfidence, (v) => round(v, 3)),
    pose: { yawDeg: round(r.pose.yawDeg, 1), pitchDeg: round(r.pose.pitchDeg, 1), rollDeg: round(r.pose.rollDeg, 1) },
    flags: r.flags,
    maskAreasPx: { skin: area(r.masks.skin), hair: area(r.masks.hair), occluder: area(r.masks.occluder) },
  };
}

/** A few human-readable lines about a capture result. */
export function captureSummary(photo: string, r: CaptureResult): string {
  const f = r.faces[r.faceIndex];
  const lm = r.landmarks;
  const xs = Array.from({ length: 478 }, (_, i) => lm[3 * i]);
  const ys = Array.from({ length: 478 }, (_, i) => lm[3 * i + 1]);
  const flags = (["extremePose", "lowResolution", "partialFace", "occluded", "blurry"] as const).filter((k) => r.flags[k]);
  const p = (i: number) => `(${lm[3 * i].toFixed(1)}, ${lm[3 * i + 1].toFixed(1)})`;
  return [
    `${photo}: ${r.image.width}×${r.image.height}, ${r.faces.length} face${r.faces.length === 1 ? "" : "s"}; using face ${r.faceIndex} (score ${f.score.toFixed(2)})`,
    `  box       x ${f.box.x.toFixed(0)}, y ${f.box.y.toFixed(0)}, ${f.box.width.toFixed(0)}×${f.box.height.toFixed(0)} px`,
    `  pose      yaw ${r.pose.yawDeg.toFixed(1)}°, pitch ${r.pose.pitchDeg.toFixed(1)}°, roll ${r.pose.rollDeg.toFixed(1)}°`,
    `  landmarks 478 points spanning x ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}, y ${Math.min(...ys).toFixed(0)}–${Math.max(...ys).toFixed(0)}`,
    `            eye corners R ${p(T.RIGHT_EYE_OUTER)} ${p(T.RIGHT_EYE_INNER)}  L ${p(T.LEFT_EYE_INNER)} ${p(T.LEFT_EYE_OUTER)}; irises R ${p(T.RIGHT_IRIS_START)} L ${p(T.LEFT_IRIS_START)}; nose tip ${p(T.NOSE_TIP)}`,
    `  flags     ${flags.join(", ") || "none"}`,
    ...r.flags.notes.map((n) => `            ${n}`),
  ].join("\n");
}

/** Prints the cold-cache line the first time a model is converted. */
export function modelProgress(event: { model: string; phase: string }): void {
  if (event.phase === "converting") process.stderr.write(`converting ${event.model} (first use)…\n`);
}

export function register(program: Command): void {
  program
    .command("capture <photo>")
    .description("find faces and the chosen face's 478 landmarks, head pose and quality flags")
    .option("--face <n>", "which face, 0 = largest", "0")
    .option("--json", "print JSON: faces, boxes, landmarks, pose, flags")
    .action(async (photo: string, opts: { face: string; json?: boolean }) => {
      const face = Number(opts.face);
      if (!Number.isInteger(face) || face < 0) throw new CliError(`--face must be a whole number ≥ 0; got "${opts.face}"`, 2);
      const { image } = await decodeImage(photo);
      const result = await capture({ image }, { face }, { onModelProgress: modelProgress });
      process.stdout.write((opts.json ? JSON.stringify(captureJson(photo, result)) : captureSummary(photo, result)) + "\n");
    });
}
