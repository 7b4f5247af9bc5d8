import { describe, expect, it } from "vitest";
import { castShadow } from "../src/pipeline/capture/cast-shadow.ts";

/**
 * A 40 × 40 window: hair in the top 8 rows, a forehead below it (rows 8–19), a mid-face reference
 * (rows 28–39) of mottled skin at luma 0.6 (log-luma σ ≈ 0.03).
 */
const W = 40, H = 40;
const hairRows = 8;
function scene(forehead: (x: number, y: number) => number, mottle = 0.03) {
  const luma = new Float32Array(W * H);
  const domain = new Uint8Array(W * H), notSkin = new Uint8Array(W * H);
  const reference: number[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      if (y < hairRows) (luma[i] = 0.1), (notSkin[i] = 1);
      else if (y < 20) (luma[i] = forehead(x, y)), (domain[i] = 1);
      else luma[i] = 0.6 * (1 + mottle * Math.sin(1.7 * x + 2.3 * y));
      if (y >= 28) reference.push(i);
    }
  }
  return { luma: (i: number) => luma[i], width: W, height: H, domain, notSkin, reference };
}
const count = (m: Uint8Array, rows: [number, number]) => {
  let n = 0;
  for (let y = rows[0]; y < rows[1]; y++) for (let x = 0; x < W; x++) n += m[y * W + x];
  return n;
};

describe("castShadow", () => {
  it("labels the shadowed strip under the hair and nothing of the lit forehead below it", () => {
    // Rows 8–12 at half the skin's light (a fringe's shadow), the rest of the forehead lit.
    const out = castShadow(scene((_, y) => (y < 13 ? 0.3 : 0.6)))!;
    expect(count(out, [8, 13])).toBe(5 * W);
    expect(count(out, [13, 20])).toBe(0);
  });

  it("leaves a dark patch alone when it does not touch the hair, and skin shaded within its own spread", () => {
    // A dark patch (a mole, a nostril-like hollow) in the middle of the forehead, lit skin around it.
    const patch = castShadow(scene((x, y) => (y >= 14 && y < 17 && x >= 18 && x < 22 ? 0.2 : 0.6)))!;
    expect(count(patch, [8, 20])).toBe(0);
    // Skin 5 % darker next to the hair: within the skin's own shading range.
    const mild = castShadow(scene((_, y) => (y < 13 ? 0.57 : 0.6)))!;
    expect(count(mild, [8, 20])).toBe(0);
  });

  it("follows a shallow shadow into its penumbra by the shadow's own lightness, not into lit skin", () => {
    // Skin with a wide lightness spread (log-luma σ ≈ 0.1): the shadow's core (rows 8–11) is 4σ
    // darker, its penumbra (rows 12–14) 2.5σ, inside the skin's 3σ range but likelier shadow than
    // skin; the lit forehead below (rows 15–19) is 1σ darker, likelier skin.
    const sigma = 0.105;
    const luma = (z: number) => 0.6 * Math.exp(z * sigma);
    const out = castShadow(scene((x, y) => (y < 12 ? luma(-4 + 0.3 * Math.sin(x)) : y < 15 ? luma(-2.5) : luma(-1)), 0.1))!;
    expect(count(out, [8, 12])).toBe(4 * W);
    expect(count(out, [12, 15])).toBe(3 * W);
    expect(count(out, [15, 20])).toBe(0);
    // No core beyond the skin's range: the penumbra alone is not grown into.
    const noCore = castShadow(scene((_, y) => (y < 15 ? luma(-2.5) : luma(-1)), 0.1))!;
    expect(count(noCore, [8, 20])).toBe(0);
  });

  it("labels strands darker than the forehead beside them though the mid-face's shading spread takes them in", () => {
    // 60 × 60: hair in rows 0–7; a forehead (rows 8–29) lit from one side (log luma +0.1 across)
    // with ±2 % mottle; strands 3 px wide every 10 px hanging from the hair down to row 17, 26 %
    // darker than the forehead beside them; a mid-face (rows 40–59) whose shading (the nose's
    // sides, the cheeks) spans ±0.35 in log luma, so its robust σ (≈ 0.25) puts the strands
    // within 1.2σ of its median.
    const w = 60, h = 60;
    const luma = new Float32Array(w * h);
    const domain = new Uint8Array(w * h), notSkin = new Uint8Array(w * h);
    const reference: number[] = [];
    const strand = (x: number, y: number) => y < 18 && x % 10 < 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const mottle = 1 + 0.02 * Math.sin(1.7 * x + 2.3 * y) * Math.sin(0.9 * y - 1.3 * x);
        if (y < 8) (luma[i] = 0.1), (notSkin[i] = 1);
        else if (y < 30) (luma[i] = 0.6 * Math.exp(0.1 * (x / w - 0.5)) * mottle * (strand(x, y) ? Math.exp(-0.3) : 1)), (domain[i] = 1);
        else luma[i] = 0.6 * Math.exp(0.7 * (x / w - 0.5)) * mottle;
        if (y >= 40) reference.push(i);
      }
    }
    const out = castShadow({ luma: (i) => luma[i], width: w, height: h, domain, notSkin, reference })!;
    let strands = 0, labelled = 0, litLabelled = 0;
    for (let y = 8; y < 30; y++) for (let x = 0; x < w; x++) (strand(x, y) ? (strands++, (labelled += out[y * w + x])) : (litLabelled += out[y * w + x]));
    expect(labelled / strands).toBeGreaterThan(0.95);
    expect(litLabelled).toBe(0);
  });

  it("has no answer without enough clean skin to measure", () => {
    const s = scene(() => 0.3);
    expect(castShadow({ ...s, reference: s.reference.slice(0, 10) })).toBeNull();
  });
});
