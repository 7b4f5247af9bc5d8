/**
 * The "Import from photo" panel: a thin React shell over `ImportController`, which does the work
 * and holds the state. Written with `createElement` (no JSX build step); React is the Editor's own
 * copy (external in the bundle), so hooks run against the same React that renders the layout.
 */
import { createElement as h, useState, useSyncExternalStore, type ChangeEvent, type CSSProperties, type ReactNode } from "react";
import type { ImportController, PanelState } from "./controller.ts";
import { PRESET_CHOICES } from "./controller.ts";
import { SKIN_SLIDERS, type SkinSlider } from "./skin.ts";
import { ENVIRONMENTS, type EnvironmentId } from "../../materials/presets.ts";
import { ENVIRONMENT_IDS } from "./lighting.ts";

const ROTATION_SLIDER: SkinSlider = { key: "rotation" as SkinSlider["key"], label: "Light rotation", min: -180, max: 180, step: 1, digits: 0, unit: "°", help: "Turns the key light and the environment about the vertical axis" };

const S: Record<string, CSSProperties> = {
  root: { display: "flex", flexDirection: "column", gap: 10, padding: 12, height: "100%", overflowY: "auto", fontSize: 13 },
  row: { display: "flex", alignItems: "center", gap: 8 },
  label: { width: 110, flex: "none", opacity: 0.8 },
  input: { flex: 1, minWidth: 0, padding: "3px 6px", background: "rgba(127,127,127,0.15)", border: "1px solid rgba(127,127,127,0.35)", borderRadius: 4, color: "inherit" },
  button: { padding: "5px 14px", borderRadius: 4, border: "1px solid rgba(127,127,127,0.5)", background: "rgba(127,127,127,0.2)", color: "inherit", cursor: "pointer" },
  bar: { height: 8, borderRadius: 4, background: "rgba(127,127,127,0.25)", overflow: "hidden" },
  error: { color: "#f87171", whiteSpace: "pre-wrap" },
  heading: { fontWeight: 600, marginTop: 6 },
};

function row(label: string, control: ReactNode, key?: string): ReactNode {
  return h("div", { style: S.row, key: key ?? label }, h("span", { style: S.label }, label), control);
}

function ProgressBar({ state }: { state: PanelState }): ReactNode {
  return h(
    "div",
    { style: { display: "flex", flexDirection: "column", gap: 4 } },
    h("div", { style: S.bar }, h("div", { style: { width: `${state.percent.toFixed(1)}%`, height: "100%", background: "#3b82f6", transition: "width 0.3s" } })),
    h("span", { style: { opacity: 0.8 } }, `${state.message} — ${Math.round(state.percent)} %`),
  );
}

function Slider({ slider, value, onChange }: { slider: SkinSlider; value: number; onChange: (v: number) => void }): ReactNode {
  return row(
    slider.label,
    h(
      "div",
      { style: { ...S.row, flex: 1 } },
      h("input", {
        type: "range",
        min: slider.min,
        max: slider.max,
        step: slider.step,
        value,
        style: { flex: 1 },
        title: slider.help,
        onChange: (e: ChangeEvent<HTMLInputElement>) => onChange(Number(e.target.value)),
      }),
      h("span", { style: { width: 64, textAlign: "right" } }, `${value.toFixed(slider.digits)}${slider.unit ? ` ${slider.unit}` : ""}`),
    ),
    slider.key,
  );
}

/** The panel. Everything it shows comes from the controller; every action goes back to it. */
export function ImportPanel({ controller }: { controller: ImportController }): ReactNode {
  const state = useSyncExternalStore(controller.subscribe, controller.getState, controller.getState);
  const [photo, setPhoto] = useState<File | null>(null);
  const busy = state.phase !== "idle" && state.phase !== "done" && state.phase !== "error" && state.phase !== "cancelled";
  const settings = state.settings;

  const start = async () => {
    if (!photo) return;
    await controller.importPhoto({ name: photo.name, type: photo.type, bytes: new Uint8Array(await photo.arrayBuffer()) });
  };

  return h(
    "div",
    { style: S.root },
    h("div", { style: S.heading }, "Import from photo"),
    row(
      "Photo",
      h("input", {
        type: "file",
        accept: "image/jpeg,image/png,image/webp,image/avif,image/heic",
        disabled: busy,
        style: S.input,
        onChange: (e: ChangeEvent<HTMLInputElement>) => setPhoto(e.target.files?.[0] ?? null),
      }),
    ),
    row(
      "Quality",
      h(
        "select",
        { value: settings.preset, disabled: busy, style: S.input, onChange: (e: ChangeEvent<HTMLSelectElement>) => controller.updateSettings({ preset: e.target.value as typeof settings.preset }) },
        PRESET_CHOICES.map((p) => h("option", { key: p.preset, value: p.preset }, p.label)),
      ),
    ),
    h(
      "details",
      null,
      h("summary", { style: { cursor: "pointer", opacity: 0.8 } }, "Daemon"),
      h(
        "div",
        { style: { display: "flex", flexDirection: "column", gap: 6, marginTop: 6 } },
        row("URL", h("input", { value: settings.daemonUrl, disabled: busy, style: S.input, onChange: (e: ChangeEvent<HTMLInputElement>) => controller.updateSettings({ daemonUrl: e.target.value }) })),
        row(
          "Start command",
          h("input", {
            value: settings.command,
            placeholder: "automatic (porelight serve)",
            disabled: busy,
            style: S.input,
            onChange: (e: ChangeEvent<HTMLInputElement>) => controller.updateSettings({ command: e.target.value }),
          }),
        ),
        row(
          "Token",
          h("input", { type: "password", value: settings.token, placeholder: "none", disabled: busy, style: S.input, onChange: (e: ChangeEvent<HTMLInputElement>) => controller.updateSettings({ token: e.target.value }) }),
        ),
      ),
    ),
    h(
      "div",
      { style: S.row },
      busy
        ? h("button", { style: S.button, onClick: () => controller.cancel() }, "Cancel")
        : h("button", { style: { ...S.button, opacity: photo ? 1 : 0.5 }, disabled: !photo, onClick: () => void start() }, "Import"),
    ),
    state.phase !== "idle" ? h(ProgressBar, { state }) : null,
    state.error ? h("div", { style: S.error }, state.error) : null,
    state.parameters
      ? h(
          "div",
          { style: { display: "flex", flexDirection: "column", gap: 6 } },
          h("div", { style: S.heading }, `Skin material — ${state.head?.name ?? ""}`),
          SKIN_SLIDERS.map((slider) => h(Slider, { key: slider.key, slider, value: state.parameters![slider.key], onChange: (v: number) => controller.setParameter(slider.key, v) })),
          h("div", { style: S.row }, h("button", { style: S.button, onClick: () => controller.resetParameters() }, "Reset to the job's values")),
        )
      : null,
    h("div", { style: S.heading }, "Preview lighting"),
    row(
      "Environment",
      h(
        "select",
        {
          value: state.lighting.preset ?? "",
          style: S.input,
          onChange: (e: ChangeEvent<HTMLSelectElement>) => void controller.setLighting((e.target.value || null) as EnvironmentId | null),
        },
        h("option", { value: "" }, "The scene's own"),
        ENVIRONMENT_IDS.map((id) => h("option", { key: id, value: id }, ENVIRONMENTS[id].label)),
      ),
    ),
    state.lighting.preset ? h(Slider, { slider: ROTATION_SLIDER, value: state.lighting.rotationDeg, onChange: (v: number) => controller.setLightRotation(v) }) : null,
  );
}
