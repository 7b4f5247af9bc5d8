/** Poses that open the mouth, shared by the mouth scripts: label and the blendshape weights (every other shape 0). */
export const MOUTH_POSES: [string, Record<string, number>][] = [
  ["rest", {}],
  ["jawOpen 0.25", { jawOpen: 0.25 }],
  ["jawOpen 0.5", { jawOpen: 0.5 }],
  ["jawOpen 0.75", { jawOpen: 0.75 }],
  ["jawOpen 1", { jawOpen: 1 }],
  // The expression turntable's "ah" and smile (scripts/expression-turntable.ts).
  ["ah", { jawOpen: 0.7, mouthFunnel: 0.2 }],
  ["smile", { mouthSmileLeft: 1, mouthSmileRight: 1 }],
];
