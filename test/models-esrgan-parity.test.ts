/**
 * Parity: every ESRGAN layers model converted by convertLayersModel gives the same output under
 * onnxruntime-node as the TF.js original (wasm backend) on a real face crop and on seeded noise,
 * within 1e-3 of the output's range. Inputs are small so all nine models run in well under a minute.
 */
import { describe, expect, it, afterAll } from "vitest";
import path from "node:path";
import sharp from "sharp";
import * as ort from "onnxruntime-node";
import { convertLayersModel } from "../src/models/convert-layers.ts";
import { loadTfjsLayersModel, runTfjs } from "./support/tfjs-layers.ts";

const FIXTURE = path.join(import.meta.dirname, "fixtures/astronaut-nasa-public-domain.png");
const MODELS_ROOT = path.join(import.meta.dirname, "../node_modules/@upscalerjs");

/** The face of the astronaut, downsized to 36×32 (H×W, deliberately not square), RGB 0..1. */
async function faceCrop(): Promise<{ data: Float32Array; height: number; width: number }> {
  const { data, info } = await sharp(FIXTURE)
    .extract({ left: 176, top: 70, width: 96, height: 108 })
    .resize(32, 36, { kernel: "lanczos3" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: Float32Array.from(data, (v) => v / 255), height: info.height, width: info.width };
}

/** Uniform noise in 0..1 from a Park–Miller generator (deterministic). */
function noise(height: number, width: number, seed: number): { data: Float32Array; height: number; width: number } {
  const data = new Float32Array(height * width * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 16807) % 2147483647;
    data[i] = s / 2147483647;
  }
  return { data, height, width };
}

/** slim/medium (RDN) take and return 0..255; thick (RRDN) 0..1 — UpscalerJS's inputRange per architecture. */
const INPUT_SCALE: Record<string, number> = { slim: 255, medium: 255, thick: 1 };

const cases = (["slim", "medium", "thick"] as const).flatMap((size) => ([2, 4, 8] as const).map((scale) => ({ size, scale })));

describe("ESRGAN layers models: ONNX vs TF.js", async () => {
  const face = await faceCrop();
  const inputs = [
    { label: "face crop", ...face },
    { label: "noise", ...noise(20, 24, 12345) },
  ];
  const sessions: ort.InferenceSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });

  it.each(cases)("esrgan-$size ×$scale", async ({ size, scale }) => {
    const modelJson = path.join(MODELS_ROOT, `esrgan-${size}/models/x${scale}/model.json`);
    const session = await ort.InferenceSession.create(await convertLayersModel(modelJson));
    sessions.push(session);
    const original = await loadTfjsLayersModel(modelJson);
    try {
      for (const input of inputs) {
        const x = input.data.map((v) => v * INPUT_SCALE[size]);
        const want = runTfjs(original, x, input.height, input.width);
        const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, [1, input.height, input.width, 3]) });
        const got = out[session.outputNames[0]];
        expect(got.dims, input.label).toEqual(want.shape);
        expect(want.shape).toEqual([1, input.height * scale, input.width * scale, 3]);
        const g = got.data as Float32Array;
        let maxDiff = 0;
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < g.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(g[i] - want.data[i]));
          lo = Math.min(lo, want.data[i]);
          hi = Math.max(hi, want.data[i]);
        }
        // A degenerate (flat) output would make the tolerance meaningless.
        expect(hi - lo, input.label).toBeGreaterThan(0.1 * INPUT_SCALE[size]);
        expect(maxDiff, `${input.label}: max |ONNX − TF.js| vs range ${hi - lo}`).toBeLessThanOrEqual(1e-3 * (hi - lo));
        // PARITY_REPORT=1 prints the measured figures (quoted in docs/models.md).
        if (process.env.PARITY_REPORT) console.log(`esrgan-${size}-x${scale} ${input.label}: max |Δ| = ${(maxDiff / (hi - lo)).toExponential(1)} × range`);
      }
    } finally {
      original.dispose();
    }
  });
});
