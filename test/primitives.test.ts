import { describe, expect, it } from "vitest";
import { ciede2000, linearSrgbToLab, linearToSrgb, linearToSrgbClamped, luma601, luminance, LUMA_709, srgbToLinear, srgbToLinearFast } from "../src/primitives/color.ts";
import { add, boundingSphere, cross, dot, length, normalize, normalizeOrZero, scale, sub, unitByDivision } from "../src/primitives/vec3.ts";
import * as F from "../src/primitives/face-topology.ts";
import { upperMedian } from "../src/primitives/statistics.ts";

describe("color", () => {
  it("sRGB transfers are inverse of each other and continuous at the segment joins", () => {
    for (let i = 0; i <= 100; i++) expect(srgbToLinear(linearToSrgb(i / 100))).toBeCloseTo(i / 100, 12);
    // The two segments meet within float error at each threshold (a wrong constant breaks this).
    expect(0.04045 / 12.92).toBeCloseTo(Math.pow((0.04045 + 0.055) / 1.055, 2.4), 6);
    expect(12.92 * 0.0031308).toBeCloseTo(1.055 * Math.pow(0.0031308, 1 / 2.4) - 0.055, 6);
    expect(srgbToLinear(0.5)).toBeCloseTo(0.21404, 5);
  });

  it("clamps only where the name says so", () => {
    expect(linearToSrgb(-0.1)).toBeCloseTo(-1.292, 12);
    expect(linearToSrgbClamped(-0.1)).toBe(0);
    expect(linearToSrgbClamped(Number.NaN)).toBe(0);
    expect(linearToSrgbClamped(2)).toBe(1);
    expect(srgbToLinearFast(-1)).toBe(0);
    expect(srgbToLinearFast(2)).toBe(1);
    for (let i = 0; i <= 50; i++) expect(Math.abs(srgbToLinearFast(i / 50 - 0.003) - srgbToLinear(i / 50 - 0.003))).toBeLessThan(i === 0 ? 1e-3 : 1e-6);
  });

  it("luminance weights sum to 1 and match the tuple", () => {
    expect(luminance(1, 1, 1)).toBeCloseTo(1, 12);
    expect(luminance(0.3, 0.5, 0.7)).toBe(LUMA_709[0] * 0.3 + LUMA_709[1] * 0.5 + LUMA_709[2] * 0.7);
    expect(luma601(1, 1, 1)).toBeCloseTo(1, 12);
  });

  it("Lab: white is L* 100 with no chroma, black 0, mid grey neutral", () => {
    const [L, a, b] = linearSrgbToLab(1, 1, 1);
    expect(L).toBeCloseTo(100, 2);
    expect(Math.abs(a)).toBeLessThan(0.01);
    expect(Math.abs(b)).toBeLessThan(0.01);
    expect(linearSrgbToLab(0, 0, 0)[0]).toBe(0);
    // Y = 0.18 → L* = 116·0.18^(1/3) − 16 ≈ 49.50.
    expect(linearSrgbToLab(0.18, 0.18, 0.18)[0]).toBeCloseTo(49.496, 2);
    // Pure sRGB red: L* 53.24, a* 80.09, b* 67.20 (the commonly tabulated D65 values).
    const red = linearSrgbToLab(1, 0, 0);
    expect(red[0]).toBeCloseTo(53.24, 1);
    expect(red[1]).toBeCloseTo(80.09, 1);
    expect(red[2]).toBeCloseTo(67.2, 1);
  });

  // Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes,
  // supplementary test data, and mathematical observations", Color Res. Appl. 30(1), Table 1:
  // pair number, L1 a1 b1, L2 a2 b2, ΔE00 (4 decimals). Pairs 7–16 exercise the hue-angle
  // wrap-around and neutral-colour rules, which an implementation from the plain formula gets wrong.
  const SHARMA_2005: [number, number[], number[], number][] = [
    [1, [50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [4, [50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
    [7, [50, 0, 0], [50, -1, 2], 2.3669],
    [8, [50, -1, 2], [50, 0, 0], 2.3669],
    [9, [50, 2.49, -0.001], [50, -2.49, 0.0009], 7.1792],
    [11, [50, 2.49, -0.001], [50, -2.49, 0.0011], 7.2195],
    [13, [50, -0.001, 2.49], [50, 0.0009, -2.49], 4.8045],
    [15, [50, -0.001, 2.49], [50, 0.0011, -2.49], 4.7461],
    [16, [50, 2.5, 0], [50, 0, -2.5], 4.3065],
    [17, [50, 2.5, 0], [73, 25, -18], 27.1492],
    [19, [50, 2.5, 0], [56, -27, -3], 31.903],
    [25, [60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
    [30, [36.4612, 47.858, 18.3852], [36.2715, 50.5065, 21.2231], 1.4146],
    [33, [6.7747, -0.2908, -2.4247], [5.8714, -0.0985, -2.2286], 0.6377],
    [34, [2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ];
  it.each(SHARMA_2005)("CIEDE2000 matches Sharma et al. (2005) pair %i", (_, lab1, lab2, expected) => {
    expect(ciede2000(lab1, lab2)).toBeCloseTo(expected, 4);
    expect(ciede2000(lab2, lab1)).toBeCloseTo(expected, 4);
  });

  it("CIEDE2000 is zero for identical colours and grows with kL shrinking", () => {
    expect(ciede2000([40, 10, -5], [40, 10, -5])).toBe(0);
    expect(ciede2000([40, 0, 0], [50, 0, 0], { kL: 0.5 })).toBeGreaterThan(ciede2000([40, 0, 0], [50, 0, 0]));
  });
});

describe("vec3", () => {
  it("cross is orthogonal to both inputs, right-handed, and dot/length agree", () => {
    const a = [0.3, -1.2, 2.5], b = [1.1, 0.4, -0.7];
    const c = cross(a, b);
    expect(dot(c, a)).toBeCloseTo(0, 12);
    expect(dot(c, b)).toBeCloseTo(0, 12);
    expect(cross([1, 0, 0], [0, 1, 0])).toEqual([0, 0, 1]);
    expect(length(a) ** 2).toBeCloseTo(dot(a, a), 12);
    expect(sub(add(a, b), b)).toEqual(a.map((v, i) => a[i] + b[i] - b[i]));
    expect(scale(a, 2)).toEqual([0.6, -2.4, 5]);
  });

  it("the three unit forms: reciprocal, zero-safe and by division", () => {
    expect(length(normalize([3, 4, 12]))).toBeCloseTo(1, 15);
    expect(normalize([0, 0, 0]).every(Number.isNaN)).toBe(true);
    expect(normalizeOrZero([0, 0, 0])).toEqual([0, 0, 0]);
    expect(unitByDivision([3, 4, 12])).toEqual([3 / 13, 4 / 13, 12 / 13]);
    expect(() => unitByDivision([0, 0, 0], "zero")).toThrow("zero");
  });

  it("boundingSphere: box centre and the farthest point's distance", () => {
    const { centre, radius } = boundingSphere(Float32Array.from([0, 0, 0, 2, 0, 0, 1, 3, 0]));
    expect(centre).toEqual([1, 1.5, 0]);
    expect(radius).toBeCloseTo(Math.hypot(1, 1.5), 6);
  });
});

describe("face topology", () => {
  const all = Object.entries(F).filter(([, v]) => Array.isArray(v) && typeof v[0] === "number") as [string, number[]][];

  it("every index list points into the 478-landmark order, without repeats", () => {
    expect(all.length).toBeGreaterThan(10);
    for (const [name, list] of all) {
      for (const i of list) expect(Number.isInteger(i) && i >= 0 && i < 478, `${name}: ${i}`).toBe(true);
      expect(new Set(list).size, name).toBe(list.length);
    }
  });

  it("right and left lists have the same length (mirror pairs)", () => {
    for (const [name, list] of all) {
      const other = name.replace(/RIGHT/, "LEFT");
      if (other !== name && other in F) expect((F as Record<string, unknown>)[other], name).toHaveLength(list.length);
    }
  });

  it("derived lists agree with the outlines they come from", () => {
    expect(F.RIGHT_BROW.filter((i) => F.RIGHT_BROW_CORE.includes(i))).toEqual(F.RIGHT_BROW_CORE);
    expect(F.LEFT_BROW.filter((i) => F.LEFT_BROW_CORE.includes(i))).toEqual(F.LEFT_BROW_CORE);
    expect(F.LIP_LOWER_INNER).toEqual(F.MOUTH_INNER.slice(0, 11));
    expect(F.LIP_UPPER_INNER).toEqual([F.MOUTH_INNER[0], ...F.MOUTH_INNER.slice(11).reverse(), F.MOUTH_INNER[10]]);
    expect(F.FACE_OVAL[0]).toBe(F.FOREHEAD_TOP);
    for (const i of [F.CHIN, F.RIGHT_CHEEK_EDGE, F.LEFT_CHEEK_EDGE, ...F.RIGHT_CHEEK_SIDE, ...F.LEFT_CHEEK_SIDE]) expect(F.FACE_OVAL).toContain(i);
    expect(F.RIGHT_IRIS[0]).toBe(F.RIGHT_IRIS_START);
    expect(F.LEFT_IRIS[0]).toBe(F.LEFT_IRIS_START);
  });

  it("the eye contour is the iris model's lower lid followed by its upper lid, inner to outer", () => {
    for (const side of ["right", "left"] as const) {
      const lids = F.EYE_CONTOURS.filter((c) => c.name === "lowerLid" || c.name === "upperLid").map((c) => c[side]);
      expect(side === "right" ? F.RIGHT_EYE_CONTOUR : F.LEFT_EYE_CONTOUR).toEqual([...lids[0], ...[...lids[1]].reverse()]);
    }
  });
});

describe("upperMedian", () => {
  it("is the middle value, the upper one of an even count, whatever the order; 0 when empty", () => {
    expect(upperMedian([5, 1, 3])).toBe(3);
    expect(upperMedian([4, 1, 3, 2])).toBe(3);
    expect(upperMedian(Float32Array.from([-0.5, 2, -3]))).toBe(-0.5);
    expect(upperMedian([10, 9, 100, 1])).toBe(10); // numeric, not string, order
    expect(upperMedian([])).toBe(0);
  });
});
