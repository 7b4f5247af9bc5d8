import { describe, expect, it } from "vitest";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { regionRmsMm, SHAPE_REGIONS, shapeRegions } from "../eval/shape-fit.ts";
import { shapeVertexSets, vertexAreas } from "../eval/shape-consistency.ts";

describe("eval/shape-fit: the aligned distance split by head region", () => {
  const head = buildTemplateHead();
  const p = head.mesh.positions;
  const region = shapeRegions(head);
  const { skin } = shapeVertexSets(head.mesh, head.parts);
  const areas = vertexAreas(p, head.mesh.indices);
  const idx = (r: (typeof SHAPE_REGIONS)[number]) => SHAPE_REGIONS.indexOf(r);

  it("gives every skin vertex a region, and every region some vertices", () => {
    for (const v of skin) expect(region[v]).toBeLessThan(SHAPE_REGIONS.length);
    for (let r = 0; r < SHAPE_REGIONS.length; r++) expect(skin.some((v) => region[v] === r)).toBe(true);
  });

  it("reads nothing after a similarity (turned, moved, scaled) and puts a neck-only change in the neck", () => {
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const moved = Float32Array.from(p);
    for (let v = 0; v < p.length / 3; v++) {
      const x = p[3 * v], z = p[3 * v + 2];
      moved[3 * v] = 1.1 * (c * x + s * z) + 0.02;
      moved[3 * v + 2] = 1.1 * (-s * x + c * z);
      moved[3 * v + 1] = 1.1 * p[3 * v + 1] - 0.01;
    }
    for (const mm of regionRmsMm(p, moved, skin, region, areas)) expect(mm).toBeLessThan(0.01);
    const neckWider = Float32Array.from(p);
    for (const v of skin) if (region[v] === idx("neck")) neckWider[3 * v] *= 1.08;
    const mm = regionRmsMm(p, neckWider, skin, region, areas);
    expect(mm[idx("neck")]).toBeGreaterThan(1.5);
    expect(mm[idx("neck")]).toBeGreaterThan(3 * mm[idx("vault")]);
    expect(mm[idx("neck")]).toBeGreaterThan(3 * mm[idx("faceInterior")]);
  });
});
