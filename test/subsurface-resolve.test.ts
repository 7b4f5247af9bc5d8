/**
 * The SSS resolve guard's shader rewrite (materials/subsurface-resolve.ts, issue 16): every change
 * lands in the pinned Babylon's shader, each with Babylon's own text kept behind the raw define, and
 * a shader whose text moved is refused rather than half patched. What the guard does to pixels is
 * checked in the browser (test/browser/specks.test.ts).
 */
import { describe, expect, it } from "vitest";
import { ShaderStore } from "@babylonjs/core/Engines/shaderStore.js";
import { guardedSubsurfaceShader, guardSubsurfaceResolve, RAW_SSS_DEFINE } from "../materials/subsurface-resolve.ts";

describe("the SSS resolve guard", () => {
  it("patches the pinned Babylon's shader in three places and keeps Babylon's text behind the raw define", () => {
    expect(guardSubsurfaceResolve()).toBe(true);
    const patched = ShaderStore.ShadersStore.subSurfaceScatteringPixelShader;
    expect(patched.split(`#ifdef ${RAW_SSS_DEFINE}`).length - 1).toBe(3);
    for (const name of ["sssPureProfile", "sssMixedPixel", "sssBurleyCdf", "sssCentreWeight"]) expect(patched).toContain(name);
    expect(patched.indexOf("bool sssPureProfile")).toBeLessThan(patched.indexOf("void EvaluateSample"));
    expect(guardSubsurfaceResolve()).toBe(true); // once only
    expect(ShaderStore.ShadersStore.subSurfaceScatteringPixelShader).toBe(patched);
  });

  it("refuses a shader whose text moved", () => {
    expect(() => guardedSubsurfaceShader("void main(void){gl_FragColor=vec4(1.);}")).toThrow(/subsurface-resolve/);
  });
});
