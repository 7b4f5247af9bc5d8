/**
 * Material preview scenes (served at /scenes/): turntable, lighting-preset comparison, map viewer
 * and before/after. Each page sets <body data-scene="…"> and is opened with ?job=<job URL>.
 * `window.porelight` exposes state for the browser tests (and for curious users in the console).
 */
import { Material, Mesh, PBRMaterial, StandardMaterial, Texture } from "@babylonjs/core";
import { enablePrePassMsaa } from "../../materials/subsurface.ts";
import { useSubsurfaceResolveGuard } from "../../materials/subsurface-resolve.ts";
import { SKIN_PLUGIN_NAME, type SkinDiffuseNormalPlugin } from "../../materials/diffuse-normal-plugin.ts";
import type { AbstractMesh, Scene } from "@babylonjs/core";
import { applyLightingPreset, rotateKeyLight, LIGHTING_PRESETS, type EnvironmentId, type LightingRig } from "../../materials/presets.ts";
import { SKIN_MAP_FILES } from "../../materials/map-files.ts";
import { buildControls } from "./controls.ts";
import { applySkinParameters } from "../../materials/skin-material.ts";
import { createEngineAndScene, frameHead, glbFromLocation, jobUrlFromLocation, loadHead, type LoadedHead } from "./load-job.ts";
import { buildSssCheck, type SssCheckInfo } from "./sss-profile.ts";
import { buildSilhouetteCheck } from "./silhouette-check.ts";
import { closeup } from "./closeup.ts";
import { expressions } from "./expressions.ts";

const ENVIRONMENTS_URL = "./environments/";

interface PorelightHook {
  ready: Promise<void>;
  error?: string;
  scene?: Scene;
  rig?: LightingRig;
  setLightRotation?(angle: number): void;
  setPreset?(id: EnvironmentId): Promise<void>;
  renderFrames?(n: number): Promise<void>;
  showMap?(key: string): Promise<void>;
  setScattering?(enabled: boolean): Promise<void>;
  applyParameters?(p: Record<string, unknown>): Promise<void>;
  /** MSAA samples of the SSS pre-pass (default SKIN_PREPASS_MSAA_SAMPLES; 1 = off), for before/after renders. */
  setMsaa?(samples: number): Promise<void>;
  /** The SSS resolve guard (materials/subsurface-resolve.ts) on or off, for before/after renders. */
  setResolveGuard?(on: boolean): Promise<void>;
  /** Normal maps (N_S, clear-coat N_S, N_D) on or off, e.g. to check the back-of-head seam. */
  setNormalMaps?(enabled: boolean): Promise<void>;
  /** N_S's strength on the skin (closeup.html): 0 = flat (mesh normals only). */
  setDetail?(strength: number): Promise<void>;
  /** Uniform skin colour instead of A_D (closeup.html), to judge N_S and A_S alone. */
  setReliefOnly?(on: boolean): Promise<void>;
  /** Close-up of another point of the skin atlas (closeup.html; u right, v down, 0..1). */
  aimAt?(u: number, v: number): Promise<void>;
  /** ARKit blendshape names the head carries, and weight setters (expressions.html). */
  blendshapes?: string[];
  setBlendshape?(name: string, weight: number): Promise<void>;
  /** Sets several weights (0…1, by name) at once and renders until a frame shows them (one frame unless the number of active targets changes). */
  setBlendshapes?(weights: Record<string, number>): Promise<void>;
  setTalkLoop?(on: boolean): void;
  /** Replaces the skin's wrinkle map by the image at `url` (null: none), bound to the smile's blendshapes; renders once ready. */
  setWrinkleMap?(url: string | null): Promise<void>;
  /** The skin's wrinkle weights, subject's left and right, as the binding sets them (expressions.html). */
  wrinkleWeights?(): { left: number; right: number };
  /** The SSS edge check's geometry (sss.html only). */
  sss?: SssCheckInfo;
}
declare global {
  interface Window { porelight: PorelightHook }
}

/** `?render=manual` (tests): no render loop, frames only on request, so a software GPU is not kept busy. */
const MANUAL_RENDER = new URLSearchParams(location.search).get("render") === "manual";

async function nextFrame(scene: Scene): Promise<void> {
  if (MANUAL_RENDER) { scene.render(); return; }
  await new Promise<void>((resolve) => scene.onAfterRenderObservable.addOnce(() => resolve()));
}

async function whenReady(scene: Scene): Promise<void> {
  await scene.whenReadyAsync();
  // One frame more after the environment's prefiltering and the SSS post-process compile.
  await nextFrame(scene);
}

function status(text: string): void {
  const el = document.getElementById("status");
  if (el) el.textContent = text;
}

async function turntable(scene: Scene, head: LoadedHead, hook: PorelightHook): Promise<void> {
  const spin = new URLSearchParams(location.search).get("spin") !== "0";
  if (spin) scene.onBeforeRenderObservable.add(() => {
    const camera = scene.activeCamera as { alpha: number } | null;
    if (camera) camera.alpha += 0.004;
  });
  void head;
  void hook;
}

async function presetComparison(scene: Scene, hook: PorelightHook): Promise<void> {
  const strip = document.getElementById("strip");
  if (!strip) return;
  const canvas = scene.getEngine().getRenderingCanvas()!;
  for (const id of Object.keys(LIGHTING_PRESETS) as EnvironmentId[]) {
    await hook.setPreset!(id);
    await nextFrame(scene);
    const shot = canvas.toDataURL("image/png"); // the drawing buffer is preserved
    const img = document.createElement("img");
    img.src = shot; img.alt = id; img.title = LIGHTING_PRESETS[id].id;
    strip.appendChild(img);
  }
}

function mapViewer(scene: Scene, head: LoadedHead, jobUrl: string, hook: PorelightHook): void {
  const keys = ["albedoDiffuse", "albedoSpecular", "normalsDiffuse", "normalsSpecular", "photoTexture"] as const;
  const flat = new StandardMaterial("mapView", scene);
  flat.disableLighting = true;
  const skinMeshes = head.meshes.filter((m) => head.skin.includes(m.material as PBRMaterial));
  const original = new Map<AbstractMesh, PBRMaterial>(skinMeshes.map((m) => [m, m.material as PBRMaterial]));
  const img = document.getElementById("map-image") as HTMLImageElement | null;
  hook.showMap = async (key: string) => {
    if (key === "skin") {
      for (const [m, mat] of original) m.material = mat;
    } else {
      const file = SKIN_MAP_FILES[key as (typeof keys)[number]];
      if (!file) throw new Error(`unknown map ${key}`);
      const t = new Texture(jobUrl + file, scene, { invertY: false });
      flat.emissiveTexture?.dispose();
      flat.emissiveTexture = t;
      for (const m of skinMeshes) m.material = flat;
      if (img) img.src = jobUrl + file;
    }
    await whenReady(scene);
  };
  const bar = document.getElementById("maps");
  for (const key of ["skin", ...keys]) {
    const b = document.createElement("button");
    b.textContent = key;
    b.addEventListener("click", () => void hook.showMap!(key));
    bar?.appendChild(b);
  }
}

function beforeAfter(scene: Scene, head: LoadedHead, jobUrl: string): void {
  // Left: the photo texture T as plain albedo on glTF-default PBR. Right: the full skin material.
  const plain = new PBRMaterial("photoAsAlbedo", scene);
  plain.albedoTexture = new Texture(jobUrl + SKIN_MAP_FILES.photoTexture, scene, { invertY: false });
  plain.metallic = 0;
  plain.roughness = 0.5;
  const offset = head.radius * 1.15;
  const root = head.meshes[0].parent;
  for (const m of head.meshes) {
    if (!(m instanceof Mesh)) continue;
    const copy = m.clone(`${m.name}_before`, root ?? null)!;
    if (head.skin.includes(m.material as PBRMaterial)) copy.material = plain;
    copy.position.x -= offset; // in __root__ space x is mirrored: this lands on the viewer's left
    m.position.x += offset;
  }
  const camera = scene.activeCamera as { radius: number } | null;
  if (camera) camera.radius *= 1.8;
  const labels = document.getElementById("labels");
  if (labels) labels.textContent = "left: photo texture as albedo · right: porelight skin";
}

async function main(): Promise<void> {
  const hook: PorelightHook = window.porelight;
  const which = document.body.dataset.scene ?? "turntable";
  const canvas = document.getElementById("view") as HTMLCanvasElement;
  const { engine, scene } = createEngineAndScene(canvas);
  hook.scene = scene;
  hook.renderFrames = async (n: number) => {
    for (let i = 0; i < n; i++) await nextFrame(scene);
  };
  hook.setMsaa = async (samples: number) => {
    enablePrePassMsaa(scene, samples);
    await whenReady(scene);
  };
  hook.setResolveGuard = async (on: boolean) => {
    useSubsurfaceResolveGuard(scene, on);
    await whenReady(scene);
  };
  if (which === "sss") {
    // ?check=silhouette: a skin sphere against the background instead of the edge check.
    const silhouette = new URLSearchParams(location.search).get("check") === "silhouette";
    const { skin, info } = silhouette ? { skin: buildSilhouetteCheck(scene), info: undefined } : buildSssCheck(scene, canvas);
    hook.sss = info;
    hook.setScattering = async (enabled: boolean) => {
      for (const m of skin) m.subSurface.isScatteringEnabled = enabled;
      await whenReady(scene);
    };
    if (!MANUAL_RENDER) engine.runRenderLoop(() => scene.render());
    await whenReady(scene);
    const widths = info ? ` · expected edge widths R/G/B ${info.expectedWidthMm.map((w) => w.toFixed(3)).join(" / ")} mm` : "";
    status(`WebGL${engine.webGLVersion} · SSS ${scene.prePassRenderer?.enabled ? "on" : "off"}${widths}`);
    return;
  }
  const jobUrl = jobUrlFromLocation();
  status(`loading ${jobUrl}…`);
  const head = await loadHead(scene, jobUrl, glbFromLocation());
  frameHead(scene, head, canvas);
  const initial = (new URLSearchParams(location.search).get("env") as EnvironmentId | null) ?? "studio";
  let rig = applyLightingPreset(scene, initial, ENVIRONMENTS_URL);
  let lightAngle = 0;
  hook.rig = rig;
  hook.setLightRotation = (angle: number) => { lightAngle = angle; rotateKeyLight(rig, angle); };
  hook.setPreset = async (id: EnvironmentId) => {
    rig = applyLightingPreset(scene, id, ENVIRONMENTS_URL, rig);
    hook.rig = rig;
    rotateKeyLight(rig, lightAngle);
    await whenReady(scene);
  };
  hook.applyParameters = async (p: Record<string, unknown>) => {
    for (const m of head.skin) applySkinParameters(m, p);
    await whenReady(scene);
  };
  hook.setScattering = async (enabled: boolean) => {
    for (const m of head.skin) m.subSurface.isScatteringEnabled = enabled;
    await whenReady(scene);
  };
  // Detached, not level 0: Babylon divides by the bump level (1 / level) in its bump set-up.
  const normalMaps = head.skin.map((m) => ({ bump: m.bumpTexture, coat: m.clearCoat.bumpTexture, nd: m.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME)?.diffuseNormalTexture ?? null }));
  hook.setNormalMaps = async (enabled: boolean) => {
    head.skin.forEach((m, k) => {
      m.bumpTexture = enabled ? normalMaps[k].bump : null;
      m.clearCoat.bumpTexture = enabled ? normalMaps[k].coat : null;
      const plugin = m.pluginManager?.getPlugin<SkinDiffuseNormalPlugin>(SKIN_PLUGIN_NAME);
      if (plugin) plugin.diffuseNormalTexture = enabled ? normalMaps[k].nd : null;
      m.markAsDirty(Material.TextureDirtyFlag);
    });
    await whenReady(scene);
  };
  if (!MANUAL_RENDER) engine.runRenderLoop(() => scene.render());

  const panel = document.getElementById("panel");
  if (panel) buildControls(panel, head.skin, { onLightRotation: hook.setLightRotation, onEnvironment: (id) => void hook.setPreset!(id), initialEnvironment: initial });
  if (which === "turntable") await turntable(scene, head, hook);
  if (which === "expressions") {
    const controls = expressions(scene, head, panel);
    hook.blendshapes = controls.names();
    // A weight leaving or reaching 0 changes the number of active targets, so the effect: the
    // frame that notices compiles it (drawing with the previous one meanwhile), whenReady waits
    // for it and renders again. With the same number active only uniforms change: one frame.
    const activeTargets = () => head.meshes.reduce((n, m) => n + (m.morphTargetManager?.numInfluencers ?? 0), 0);
    hook.setBlendshapes = async (weights: Record<string, number>) => {
      const before = activeTargets();
      for (const [name, weight] of Object.entries(weights)) controls.set(name, weight);
      await nextFrame(scene);
      if (activeTargets() !== before) await whenReady(scene);
    };
    hook.setBlendshape = (name: string, weight: number) => hook.setBlendshapes!({ [name]: weight });
    hook.setTalkLoop = controls.loop;
    hook.setWrinkleMap = async (url: string | null) => {
      controls.setWrinkleMap(url ? new Texture(url, scene, { noMipmap: false, invertY: false, gammaSpace: false }) : null);
      await whenReady(scene);
    };
    hook.wrinkleWeights = controls.wrinkleWeights;
    controls.loop(new URLSearchParams(location.search).get("loop") === "1");
  }
  if (which === "maps") mapViewer(scene, head, jobUrl, hook);
  if (which === "compare") beforeAfter(scene, head, jobUrl);
  if (which === "closeup") {
    // `?at=u,v`: look at that point of the skin atlas instead of the cheek beside the nose.
    const at = new URLSearchParams(location.search).get("at")?.split(",").map(Number);
    const controls = closeup(scene, head, rig, at?.length === 2 && at.every(Number.isFinite) ? { anchorUv: [at[0], at[1]] } : {});
    hook.setDetail = async (s: number) => { controls.setDetail(s); await whenReady(scene); };
    hook.setReliefOnly = async (on: boolean) => { controls.setReliefOnly(on); await whenReady(scene); };
    hook.aimAt = async (u: number, v: number) => { controls.aim([u, v]); await whenReady(scene); };
    document.getElementById("detail")?.addEventListener("input", (e) => void hook.setDetail!(Number((e.target as HTMLInputElement).value)));
    document.getElementById("relief")?.addEventListener("change", (e) => void hook.setReliefOnly!((e.target as HTMLInputElement).checked));
  }
  await whenReady(scene);
  if (which === "presets") await presetComparison(scene, hook);
  status(`${jobUrl} · WebGL${engine.webGLVersion} · SSS ${scene.prePassRenderer?.enabled ? "on" : "off"}`);
}

window.porelight = { ready: Promise.resolve() };
window.porelight.ready = main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  window.porelight.error = message;
  status(`error: ${message}`);
  throw e;
});
