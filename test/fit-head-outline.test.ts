// The head's outline as evidence on its proportions (fit/head-outline.ts), on synthetic photos: the
// template seen frontally, the person mask drawn from a head of known proportions.
import { beforeAll, describe, expect, it } from "vitest";
import { headFrame } from "../src/geometry/head-shape.ts";
import { predictHeadFromFace } from "../src/geometry/head-prediction.ts";
import { headProportionField, UNCHANGED_PROPORTIONS, type HeadProportions } from "../src/geometry/head-proportions.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import { headOutlineProportions, posterior } from "../src/pipeline/fit/head-outline.ts";
import { frontalCamera, outlinePhoto } from "./support/outline-photo.ts";
import type { Camera, TemplateHead } from "../src/types.ts";

let head: TemplateHead;
beforeAll(() => {
  head = buildTemplateHead();
});

const W = 640;

const camera = (): Camera => frontalCamera(W);

/** The template with other proportions. */
function proportioned(k: Partial<HeadProportions>): Float32Array {
  const field = headProportionField(headFrame(), { ...UNCHANGED_PROPORTIONS, ...k });
  const p = Float32Array.from(head.mesh.positions), d = [0, 0, 0];
  for (let v = 0; v < p.length / 3; v++) {
    field(p[3 * v], p[3 * v + 1], p[3 * v + 2], d);
    for (let c = 0; c < 3; c++) p[3 * v + c] += d[c];
  }
  return p;
}

/** Photo and masks: the skull at `skull`; with `hairAt`, hair (striped, hair-masked) out to that head's outline above the ears. */
function photo(skull: Float32Array, hairAt?: Float32Array) {
  return outlinePhoto(head, camera(), skull, hairAt);
}

function read(p: ReturnType<typeof photo>) {
  const prediction = predictHeadFromFace([0, 0, 0]);
  return headOutlineProportions({ head, camera: camera(), image: p.image, masks: p.masks, positions: Float32Array.from(head.mesh.positions), interocularPx: 0.063 * (1.2 * W) / 0.9, prediction, proportions: UNCHANGED_PROPORTIONS });
}

describe("headOutlineProportions", () => {
  it("widens the vault toward a bald head 8 % wider than the template", () => {
    const { proportions, report } = read(photo(proportioned({ breadth: 1.08 })));
    expect(report.groups.filter((g) => g.dimension === "breadth").length).toBe(2);
    // Skin at the outline may be skin-coloured hair (scalpSkinShare), so the move is tempered, but well beyond the prior SD × 0.7.
    expect(proportions.breadth).toBeGreaterThan(1.03);
    expect(proportions.breadth).toBeLessThan(1.1);
  });

  it("leaves a bald head of the template's breadth near it", () => {
    const { proportions } = read(photo(Float32Array.from(head.mesh.positions)));
    expect(Math.abs(proportions.breadth - 1)).toBeLessThan(0.015);
  });

  it("does not follow hair standing off a template-sized skull: how far the hair reaches does not matter", () => {
    const skull = Float32Array.from(head.mesh.positions);
    const far = read(photo(skull, proportioned({ breadth: 1.25, height: 1.15 })));
    const near = read(photo(skull, proportioned({ breadth: 1.15, height: 1.1 })));
    expect(far.report.groups.some((g) => g.dimension === "breadth")).toBe(true);
    // Skin seen at the skull's own edge bounds it from below (the posterior is the prior cut there), hair says nothing more.
    expect(far.proportions.breadth).toBeLessThan(1.03);
    expect(Math.abs(far.proportions.breadth - near.proportions.breadth)).toBeLessThan(0.005);
    expect(Math.abs(far.proportions.height - near.proportions.height)).toBeLessThan(0.005);
  });

  it("narrows the vault when even the hair's outline is inside the predicted skull", () => {
    const narrow = proportioned({ breadth: 0.9 });
    const { proportions } = read(photo(narrow, proportioned({ breadth: 0.92 })));
    expect(proportions.breadth).toBeLessThan(0.97);
  });

  it("says nothing without a person mask", () => {
    const p = photo(proportioned({ breadth: 1.08 }));
    const { proportions, report } = read({ ...p, masks: { ...p.masks, person: undefined } });
    expect(proportions).toEqual(UNCHANGED_PROPORTIONS);
    expect(report.groups).toEqual([]);
  });
});

describe("posterior", () => {
  const grid = { gridSds: 4, gridPoints: 161, scalpSkinShare: 0.5 };
  it("is the prior with hair anywhere within a wide band, and pulled to the outline on skin", () => {
    const hairGroup = { dimension: "breadth" as const, readings: 5, offsetM: 0.02, slopeM: 0.075, hairBandM: 0.05, sigmaM: 0.003, reachM: 0.04 };
    expect(Math.abs(posterior([hairGroup], 0.04, grid).mean)).toBeLessThan(0.004);
    const skinGroup = { ...hairGroup, hairBandM: 0, offsetM: 0.003 };
    expect(posterior([skinGroup], 0.04, grid).mean).toBeCloseTo(0.04, 1);
  });
});
