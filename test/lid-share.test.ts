import { describe, expect, it } from "vitest";
import { closedLidShare, closedUpperLids } from "../src/pipeline/unwrap/lid-share.ts";

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
