import { beforeAll, describe, expect, it } from "vitest";
import { ARKIT_BLENDSHAPES } from "../src/geometry/blendshape-names.ts";
import { evaluateBlendshapes } from "../src/geometry/blendshapes.ts";
import { LOWER_INCISOR_DISPLAY_M } from "../src/geometry/blendshape-lips.ts";
import { partVertices, restRig } from "../src/geometry/blendshape-rig.ts";
import { buildTemplateHead } from "../src/geometry/template-head.ts";
import type { Blendshape, TemplateHead } from "../src/types.ts";

let head: TemplateHead;
let shapes: Map<string, Blendshape>;
beforeAll(() => {
  head = buildTemplateHead();
  shapes = new Map(evaluateBlendshapes(head.mesh.positions, head).map((s) => [s.name, s]));
});

const move = (name: string, v: number) => {
  const d = shapes.get(name)!.delta;
  return [d[3 * v], d[3 * v + 1], d[3 * v + 2]];
};
const lm = (i: number) => head.landmarkVertices[i];
const maxMove = (name: string, ids: ArrayLike<number>) => Math.max(...Array.from(ids, (v) => Math.hypot(...move(name, v))));

describe("ARKit blendshapes on the template", () => {
  it("are the 52 ARKit locations, each moving something", () => {
    expect(ARKIT_BLENDSHAPES.length).toBe(52);
    expect(new Set(ARKIT_BLENDSHAPES).size).toBe(52);
    for (const name of ARKIT_BLENDSHAPES) expect(maxMove(name, Array.from({ length: head.mesh.positions.length / 3 }, (_, v) => v)), name).toBeGreaterThan(0.001);
  });

  it("jawOpen drops the chin and the lower teeth, leaves the upper teeth and the forehead", () => {
    expect(move("jawOpen", lm(152))[1]).toBeLessThan(-0.02);
    const teeth = partVertices(head, "teeth");
    const lower = Array.from(teeth).filter((v) => head.rig.mandible[v] === 1);
    const upper = Array.from(teeth).filter((v) => head.rig.mandible[v] === 0);
    // Every lower tooth drops; the incisors (furthest from the hinge) by most of the 48.8 mm opening.
    expect(Math.min(...lower.map((v) => -move("jawOpen", v)[1]))).toBeGreaterThan(0.008);
    const front = lower.reduce((a, v) => (head.mesh.positions[3 * v + 2] > head.mesh.positions[3 * a + 2] ? v : a));
    expect(-move("jawOpen", front)[1]).toBeGreaterThan(0.03);
    expect(maxMove("jawOpen", upper)).toBe(0);
    expect(maxMove("jawOpen", [lm(10), lm(1), lm(0)])).toBe(0);
  });

  it("jawOpen keeps the lower lip on the lower incisors: their edge shows ≈ 1 mm above it at any opening, not the 5 mm a lip turned rigidly with the mandible left", () => {
    const P = head.mesh.positions, rig = restRig(head);
    const teeth = new Set(partVertices(head, "teeth"));
    const near = Array.from({ length: P.length / 3 }, (_, v) => v).filter((v) => Math.abs(P[3 * v]) < 0.002);
    const teethFront = Math.max(...Array.from(teeth, (v) => P[3 * v + 2]));
    for (const w of [0.5, 1]) {
      const y = (v: number) => P[3 * v + 1] + w * move("jawOpen", v)[1];
      const edge = Math.max(...near.filter((v) => teeth.has(v) && head.rig.mandible[v] === 1).map(y));
      // The lower lip: skin and inner-lip surface that move with the mandible, in front of the teeth.
      const lip = Math.max(...near.filter((v) => (rig.kind[v] === 0 || rig.kind[v] === 2) && rig.lipSide[v] < 0 && rig.jaw[v] > 0.5 && P[3 * v + 2] > teethFront).map(y));
      expect(edge - lip, `jawOpen ${w}`).toBeGreaterThan(0);
      expect(edge - lip, `jawOpen ${w}`).toBeLessThan(w * LOWER_INCISOR_DISPLAY_M + 0.0005);
    }
  });

  it("the lip-parting shapes move only the lips: nothing behind the mouth corners (the back of the head and neck within the mouth's width)", () => {
    const P = head.mesh.positions, cornerZ = P[3 * lm(291) + 2];
    const behind = Array.from({ length: P.length / 3 }, (_, v) => v).filter((v) => P[3 * v + 2] < cornerZ - 0.02);
    for (const name of ["mouthUpperUpLeft", "mouthUpperUpRight", "mouthLowerDownLeft", "mouthLowerDownRight"]) expect(maxMove(name, behind), name).toBe(0);
  });

  it("eyeBlinkLeft brings the subject's left upper lid down to the lower lid and leaves the right eye", () => {
    // Landmarks 386 / 374: left upper / lower lid centre (subject's left, +x).
    const up = head.mesh.positions[3 * lm(386) + 1] + move("eyeBlinkLeft", lm(386))[1];
    const low = head.mesh.positions[3 * lm(374) + 1] + move("eyeBlinkLeft", lm(374))[1];
    expect(Math.abs(up - low)).toBeLessThan(0.0015);
    expect(head.mesh.positions[3 * lm(386)]).toBeGreaterThan(0);
    expect(maxMove("eyeBlinkLeft", [lm(159), lm(145)])).toBe(0);
  });

  it("Left and Right shapes are mirror images through mirrorVertex", () => {
    for (const name of ARKIT_BLENDSHAPES.filter((n) => n.endsWith("Left"))) {
      const right = name.replace(/Left$/, "Right");
      for (const v of [lm(291), lm(386), lm(296), lm(327), lm(374)]) {
        const a = move(name, v), b = move(right, head.mirrorVertex[v]);
        expect(Math.abs(a[0] + b[0]) + Math.abs(a[1] - b[1]) + Math.abs(a[2] - b[2]), `${name} at ${v}`).toBeLessThan(1e-5);
      }
    }
  });
});
