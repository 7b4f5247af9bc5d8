/**
 * Expressions scene: a slider per ARKit blendshape (the head's morph targets, named as ARKit's
 * blend-shape locations) and a blink-and-talk loop. Works with head.babylon (MorphTargetManager)
 * and a GLB (?glb=head.glb: morph targets from extras.targetNames). When the skin carries the
 * smile's wrinkle map (head.babylon of a job that has one), its weight follows the smile's
 * blendshapes (materials/wrinkle-maps.ts), so a smile brings the photo's folds back.
 */
import type { BaseTexture, MorphTarget, Scene } from "@babylonjs/core";
import { ARKIT_BLENDSHAPES } from "../../src/geometry/blendshape-names.ts";
import { SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "../../materials/diffuse-normal-plugin.ts";
import { WRINKLE_DRIVERS } from "../../materials/map-files.ts";
import { bindWrinkleMaps, type WrinkleBinding, type WrinkleWeights } from "../../materials/wrinkle-maps.ts";
import type { LoadedHead } from "./load-job.ts";

export interface ExpressionControls {
  /** The ARKit names the head carries. */
  names(): string[];
  /** Sets one blendshape's weight (0…1) on every part that has it. */
  set(name: string, weight: number): void;
  /** Starts or stops the blink-and-talk loop. */
  loop(on: boolean): void;
  /** Replaces the skin's wrinkle map (null: none) and binds it to the smile's blendshapes. */
  setWrinkleMap(texture: BaseTexture | null): void;
  /** The skin's current wrinkle weights, subject's left and right (0 without a bound map). */
  wrinkleWeights(): WrinkleWeights;
}

/** Seconds between blinks and the blink's length (a blink lasts ~0.1–0.4 s; shape choices for the demo). */
const BLINK_PERIOD_S = 3.2;
const BLINK_LENGTH_S = 0.22;
/** Syllable rate of the talk loop, Hz (speech runs at ~4–5 syllables per second). */
const SYLLABLE_HZ = 4;
/** The talk loop breaks into a smile once per this many seconds (demo choice), to show the smile's folds. */
const SMILE_PERIOD_S = 6;

export function expressions(scene: Scene, head: LoadedHead, panel: HTMLElement | null): ExpressionControls {
  const byName = new Map<string, MorphTarget[]>();
  for (const m of head.meshes) {
    const manager = m.morphTargetManager;
    if (!manager) continue;
    for (let i = 0; i < manager.numTargets; i++) {
      const t = manager.getTarget(i);
      byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
    }
  }
  const skinPlugin = (m: (typeof head.meshes)[number]) =>
    m.material && head.skin.includes(m.material as (typeof head.skin)[number]) ? m.material.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME) ?? null : null;
  let wrinkles: WrinkleBinding[] = [];
  const bindWrinkles = () => {
    for (const b of wrinkles) b.dispose();
    wrinkles = head.meshes.filter((m) => skinPlugin(m)?.wrinkleTexture && m.morphTargetManager).map((m) => bindWrinkleMaps(m, m.material as (typeof head.skin)[number], WRINKLE_DRIVERS.wrinkleSmile));
  };
  bindWrinkles();
  const setWrinkleMap = (texture: BaseTexture | null) => {
    for (const m of head.meshes) {
      const plugin = skinPlugin(m);
      if (plugin) plugin.wrinkleTexture = texture;
    }
    bindWrinkles();
  };
  const wrinkleWeights = () => wrinkles[0]?.update() ?? { left: 0, right: 0 };
  const sliders = new Map<string, HTMLInputElement>();
  const set = (name: string, weight: number) => {
    for (const t of byName.get(name) ?? []) t.influence = weight;
    const s = sliders.get(name);
    if (s) s.value = String(weight);
  };
  let t0 = performance.now();
  const tick = () => {
    const t = (performance.now() - t0) / 1000;
    const phase = (t % BLINK_PERIOD_S) / BLINK_LENGTH_S;
    const blink = phase < 1 ? Math.sin(Math.PI * phase) : 0;
    set("eyeBlinkLeft", blink);
    set("eyeBlinkRight", blink);
    // Talking: the jaw opens once per syllable, vowels alternate between open ("ah") and rounded ("oo").
    const syllable = t * SYLLABLE_HZ;
    const open = Math.max(0, Math.sin(Math.PI * (syllable % 1))) * (0.55 + 0.45 * Math.sin(t * 1.7));
    const rounded = Math.floor(syllable) % 3 === 2;
    set("jawOpen", open * (rounded ? 0.2 : 0.35));
    set("mouthFunnel", rounded ? open * 0.6 : 0);
    // A slight smile throughout, swelling to a broad one once per SMILE_PERIOD_S.
    const smile = 0.15 + 0.65 * Math.max(0, Math.sin((2 * Math.PI * t) / SMILE_PERIOD_S)) ** 2;
    set("mouthSmileLeft", smile);
    set("mouthSmileRight", smile);
  };
  let looping = false;
  const loop = (on: boolean) => {
    if (on === looping) return;
    looping = on;
    if (on) { t0 = performance.now(); scene.onBeforeRenderObservable.add(tick); }
    else { scene.onBeforeRenderObservable.removeCallback(tick); for (const n of byName.keys()) set(n, 0); }
  };
  if (panel) {
    const toggle = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.addEventListener("change", () => loop(box.checked));
    toggle.append(box, " blink and talk");
    panel.appendChild(toggle);
    for (const name of ARKIT_BLENDSHAPES) {
      if (!byName.has(name)) continue;
      const l = document.createElement("label");
      l.textContent = name;
      const input = document.createElement("input");
      Object.assign(input, { type: "range", min: "0", max: "1", step: "0.01", value: "0" });
      input.addEventListener("input", () => set(name, Number(input.value)));
      sliders.set(name, input);
      l.appendChild(input);
      panel.appendChild(l);
    }
  }
  return { names: () => ARKIT_BLENDSHAPES.filter((n) => byName.has(n)), set, loop, setWrinkleMap, wrinkleWeights };
}
