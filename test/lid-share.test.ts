import { describe, expect, it } from "vitest";
import { closedLidShare, closedUpperLids, LID_SHOW, LID_TUCKED, lidZones, upperMargins } from "../src/pipeline/unwrap/lid-share.ts";

// Two triangles side by side: vertices 0 1 2 | 1 3 2; the lid moves vertex 3 only.
const open = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]);
const indices = new Uint32Array([0, 1, 2, 1, 3, 2]);
const blink = new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0]);
const shapes = [
  { name: "eyeBlinkLeft", delta: blink },
  { name: "jawOpen", delta: new Float32Array(12).fill(5) },
];

describe("closedUpperLids", () => {
  it("takes the blink from the photo's weight to 1 on the upper lid's vertices only", () => {
    const closed = closedUpperLids(open, { weights: new Float64Array([0.25, 1]), blendshapes: shapes }, [new Float32Array([0, 0, 0, 1])])!;
    expect(Array.from(closed.subarray(9))).toEqual([1.75, 1.75, 0]);
    expect(Array.from(closed.subarray(0, 9))).toEqual(Array.from(open.subarray(0, 9)));
    // A vertex the blink moves but the upper lid does not (the lower lid) stays.
    expect(Array.from(closedUpperLids(open, { weights: new Float64Array(2), blendshapes: shapes }, [new Float32Array(4)])!)).toEqual(Array.from(open));
  });

  it("is the head as photographed when the photo's eyes are closed, and null without blink shapes", () => {
    expect(Array.from(closedUpperLids(open, { weights: new Float64Array([1, 0]), blendshapes: shapes }, [new Float32Array([1, 1, 1, 1])])!)).toEqual(Array.from(open));
    expect(closedUpperLids(open, { weights: new Float64Array([0]), blendshapes: [shapes[1]] }, [new Float32Array(4)])).toBeNull();
  });
});

describe("closedLidShare", () => {
  it("is open area over closed area per vertex, at most 1, and 1 off the triangles given", () => {
    // Vertex 3 moved to (2, 2): the second triangle's area goes from 0.5 to 1.5.
    const closed = Float32Array.from(open);
    closed.set([2, 2, 0], 9);
    const share = closedLidShare(open, closed, indices, 0, 2);
    expect(share[3]).toBeCloseTo(0.5 / 1.5, 6);
    expect(share[0]).toBe(1);
    expect(share[1]).toBeCloseTo(1 / 2, 6); // 0.5 + 0.5 open over 0.5 + 1.5 closed
    // Skin the closed pose compresses was fully seen.
    expect(closedLidShare(closed, open, indices, 0, 2)[3]).toBe(1);
    // Triangles outside [first, end) do not count.
    expect(closedLidShare(open, closed, indices, 0, 1)[3]).toBe(1);
  });
});

describe("lidZones", () => {
  // A column of lid skin above a margin along x at y = 0 (metres): vertices at 0, 1, 3, 5, 8 mm up
  // when open; closing stretches it 1.5× upward. The margin is vertices 5 and 6 (y = 0, x = ∓5 mm).
  const ys = [0, 1e-3, 3e-3, 5e-3, 8e-3];
  const column = (k: number) => [...ys.flatMap((y) => [0, k * y, 0]), -5e-3, 0, 0, 5e-3, 0, 0];
  const open = new Float32Array(column(1)), closed = new Float32Array(column(1.5));
  const margins = upperMargins([new Int32Array([9, 9, 5, 6])]);

  it("takes the upper margin as the loop's second half back to its start", () => {
    expect(upperMargins([new Int32Array([0, 1, 2, 3, 4, 5])])).toEqual([[3, 4, 5, 0]]);
  });

  it("tucks the skin beyond the open eye's pretarsal show and within the closed lid's crease height", () => {
    // Open 0 and 1 mm (< 1.4 mm show): the show; 3 mm open → 4.5 mm closed: tucked; 5 mm open →
    // 7.5 mm closed, above the 6.4 mm crease, and 8 mm open: preseptal.
    const [S, T] = [LID_SHOW, LID_TUCKED];
    expect(Array.from(lidZones(open, closed, margins).subarray(0, 5))).toEqual([S, S, T, 0, 0]);
    expect(Array.from(lidZones(open, closed, margins, 0.5e-3, 8e-3).subarray(0, 5))).toEqual([S, T, T, T, 0]);
  });

  it("keeps share 1 where the skin was not tucked", () => {
    const o = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]);
    const c = Float32Array.from(o);
    c.set([2, 2, 0], 9);
    const ids = new Uint32Array([0, 1, 2, 1, 3, 2]);
    const all = closedLidShare(o, c, ids, 0, 2);
    const some = closedLidShare(o, c, ids, 0, 2, new Uint8Array([0, LID_SHOW, 0, LID_TUCKED]));
    expect(some[3]).toBeCloseTo(all[3], 6);
    expect(some[1]).toBe(1);
    expect(all[1]).toBeCloseTo(0.5, 6);
    expect(() => closedLidShare(o, c, ids, 0, 2, new Uint8Array(3))).toThrow(/lid zones/);
  });
});
