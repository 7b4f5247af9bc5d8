import { describe, expect, it } from "vitest";
import { OnnxGraphBuilder } from "../src/models/onnx-graph.ts";
import { MAX_BYTE_SESSIONS, disposeSessions, getSessionFromBytes, ort, sessionCount } from "../src/models/session.ts";

function scaleGraph(factor: number): Uint8Array {
  const g = new OnnxGraphBuilder("scale");
  g.addInput({ name: "x", type: "float32", shape: [1] });
  g.addNode("Mul", ["x", g.constFloat("k", [factor], [1])], {}, ["y"]);
  g.addOutput({ name: "y", type: "float32", shape: [1] });
  return g.encode();
}

describe("session cache", () => {
  it("reuses a byte-built session and keeps only the most recent ones", async () => {
    await disposeSessions();
    const first = await getSessionFromBytes("k0", scaleGraph(0));
    expect(await getSessionFromBytes("k0", () => scaleGraph(99))).toBe(first);
    for (let i = 1; i < MAX_BYTE_SESSIONS + 5; i++) await getSessionFromBytes(`k${i}`, scaleGraph(i));
    expect(sessionCount()).toBe(MAX_BYTE_SESSIONS);
    // The newest still answers with its own weights.
    const newest = await getSessionFromBytes(`k${MAX_BYTE_SESSIONS + 4}`, () => scaleGraph(-1));
    const out = await newest.run({ x: new ort.Tensor("float32", Float32Array.from([2]), [1]) });
    expect((out.y.data as Float32Array)[0]).toBe(2 * (MAX_BYTE_SESSIONS + 4));
    await disposeSessions();
    expect(sessionCount()).toBe(0);
  });
});
