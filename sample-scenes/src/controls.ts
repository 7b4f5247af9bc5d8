/** The slider panel: material parameters, light rotation, environment. */
import type { PBRMaterial } from "@babylonjs/core";
import { applySkinParameters, readSkinParameters } from "../../materials/skin-material.ts";
import type { SkinParameters } from "../../materials/skin-parameters.ts";
import { ENVIRONMENTS, type EnvironmentId } from "../../materials/presets.ts";

interface Slider { key: keyof SkinParameters | "scatteringScale"; label: string; min: number; max: number; step: number }

const SLIDERS: Slider[] = [
  { key: "roughnessBase", label: "Base lobe roughness", min: 0.2, max: 1, step: 0.01 },
  { key: "roughnessSharp", label: "Sharp lobe roughness", min: 0.05, max: 0.8, step: 0.01 },
  { key: "sharpLobeWeight", label: "Sharp lobe share", min: 0, max: 0.5, step: 0.01 },
  { key: "specularF0", label: "Skin F0", min: 0, max: 0.06, step: 0.001 },
  { key: "normalStrength", label: "Normal strength", min: 0, max: 2, step: 0.05 },
  { key: "scatteringScale", label: "Scattering distance ×", min: 0.25, max: 4, step: 0.05 },
  { key: "translucency", label: "Translucency", min: 0, max: 1, step: 0.01 },
];

function row(panel: HTMLElement, label: string, input: HTMLElement): void {
  const l = document.createElement("label");
  l.textContent = label;
  l.appendChild(input);
  panel.appendChild(l);
}

export function buildControls(panel: HTMLElement, skin: PBRMaterial[], handlers: { onLightRotation(angle: number): void; onEnvironment(id: EnvironmentId): void; initialEnvironment: EnvironmentId }): void {
  if (skin.length > 0) {
    const base = readSkinParameters(skin[0]);
    for (const s of SLIDERS) {
      const input = document.createElement("input");
      input.type = "range";
      input.min = String(s.min); input.max = String(s.max); input.step = String(s.step);
      input.value = String(s.key === "scatteringScale" ? 1 : (base[s.key] as number));
      input.dataset.param = s.key;
      input.addEventListener("input", () => {
        const v = Number(input.value);
        const change: Partial<SkinParameters> = s.key === "scatteringScale"
          ? { scatteringDistanceMm: base.scatteringDistanceMm.map((d) => d * v) as [number, number, number] }
          : { [s.key]: v };
        for (const m of skin) applySkinParameters(m, change);
      });
      row(panel, s.label, input);
    }
  }
  const light = document.createElement("input");
  light.type = "range"; light.min = "-3.1416"; light.max = "3.1416"; light.step = "0.01"; light.value = "0";
  light.dataset.param = "lightRotation";
  light.addEventListener("input", () => handlers.onLightRotation(Number(light.value)));
  row(panel, "Light rotation", light);
  const env = document.createElement("select");
  env.dataset.param = "environment";
  for (const [id, e] of Object.entries(ENVIRONMENTS)) {
    const o = document.createElement("option");
    o.value = id; o.textContent = e.label; o.selected = id === handlers.initialEnvironment;
    env.appendChild(o);
  }
  env.addEventListener("change", () => handlers.onEnvironment(env.value as EnvironmentId));
  row(panel, "Environment", env);
}
