import { describe, expect, it } from "vitest";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { chinShift, FACE_CLEARANCE_M, headAnchorVertices, underChinWeight } from "../src/pipeline/fit/anchors.ts";
import { CHIN } from "../src/primitives/face-topology.ts";

describe("the skin under the chin follows the chin's border", () => {
  const head = buildTemplateHead();
  const p = head.mesh.positions;
  const g = head.landmarkVertices[CHIN];
  const at = (x: number, y: number, z: number) => Float32Array.from([x, y, z]);

  it("weighs 1 at the gnathion, falls off with the distance below it, and is 0 above the chin", () => {
    const [gx, gy, gz] = [p[3 * g], p[3 * g + 1], p[3 * g + 2]];
    expect(underChinWeight(at(gx, gy, gz), head, 0)).toBeCloseTo(1, 6);
    const near = underChinWeight(at(gx, gy - 0.01, gz - 0.01), head, 0);
    const far = underChinWeight(at(gx, gy - 0.04, gz - 0.04), head, 0);
    expect(near).toBeGreaterThan(far);
    expect(underChinWeight(at(gx, gy - FACE_CLEARANCE_M, gz), head, 0)).toBeCloseTo(Math.exp(-0.5), 5);
    expect(underChinWeight(at(gx, gy + 0.001, gz), head, 0)).toBe(0);
  });

  it("reaches some neck anchors of the template (else it would change nothing), none of the vault's", () => {
    const weights = headAnchorVertices(head).map((v) => ({ y: p[3 * v + 1], w: underChinWeight(p, head, v) }));
    expect(weights.some((a) => a.w > 0.3)).toBe(true);
    expect(weights.filter((a) => a.y > p[3 * g + 1]).every((a) => a.w === 0)).toBe(true);
  });

  it("reads the chin border's mean height and depth shift, weighted by confidence, and nothing else", () => {
    const faceIds = [CHIN, 148, 1, 10];
    const disp = Float64Array.from([0, 0.004, -0.002, 0, 0.002, 0, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
    const s = chinShift(faceIds, disp, Float64Array.from([1, 1, 1, 1]))!;
    expect(s.y).toBeCloseTo(0.003, 12);
    expect(s.z).toBeCloseTo(-0.001, 12);
    expect(chinShift([1, 10], disp.subarray(0, 6), Float64Array.from([1, 1]))).toBeUndefined();
  });
});
