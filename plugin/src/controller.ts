/**
 * What the "Import from photo" panel does, without React: start the daemon if needed, run one job,
 * bring its files into the project, add the head, and edit the skin material live. The panel only
 * renders `getState()` and calls these methods, so the whole flow is testable in Node.
 */
import { rm } from "node:fs/promises";
import type { Material } from "@babylonjs/core/Materials/material.js";
import type { Preset } from "../../src/types.ts";
import { PRESET_MAP_SIZE } from "../../src/types.ts";
import { DEFAULT_DAEMON_URL, ensureDaemon, stopDaemon, type DaemonHandle } from "./daemon-process.ts";
import type { EditorIds, EditorLike } from "./editor-like.ts";
import { importReconstruction, sceneIds } from "./import.ts";
import { projectDirOf } from "./project-assets.ts";
import { runJob, type JobPhoto, type RunJobOptions } from "./job.ts";
import { applyPreviewLighting, rotatePreviewLighting } from "./lighting.ts";
import type { EnvironmentId, LightingRig } from "../../materials/presets.ts";
import { nodeFetch } from "./node-fetch.ts";
import { isSkinMaterial, readSkinSliders, writeSkinSlider, type SkinSliderKey } from "./skin.ts";

export interface PanelSettings {
  daemonUrl: string;
  /** How to start porelight when it is not running; empty = automatic. */
  command: string;
  /** Bearer token, when the daemon requires one. */
  token: string;
  preset: Preset;
}

export const SETTINGS_DEFAULTS: PanelSettings = { daemonUrl: DEFAULT_DAEMON_URL, command: "", token: "", preset: "standard" };

export const PRESET_CHOICES = (Object.keys(PRESET_MAP_SIZE) as Preset[]).map((preset) => {
  const { width, height } = PRESET_MAP_SIZE[preset];
  return { preset, label: `${preset} — maps ${width}×${height}` };
});

export type Phase = "idle" | "daemon" | "job" | "import" | "done" | "error" | "cancelled";

export interface PanelState {
  phase: Phase;
  /** Whole operation, 0..100. */
  percent: number;
  message: string;
  error: string | null;
  settings: PanelSettings;
  /** The last imported head. */
  head: { name: string; assetDir: string } | null;
  /** Slider values of the last imported head's skin material; null before an import. */
  parameters: Record<SkinSliderKey, number> | null;
  /** Preview lighting applied from the panel (null: the scene's own lighting). */
  lighting: { preset: EnvironmentId | null; rotationDeg: number };
}

/** Where settings survive between sessions (the renderer's localStorage by default). */
export interface SettingsStore {
  load(): Partial<PanelSettings>;
  save(settings: PanelSettings): void;
}

const STORAGE_KEY = "porelight.editor-plugin.settings";

export function localSettingsStore(): SettingsStore {
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  return {
    load: () => {
      try {
        return storage ? (JSON.parse(storage.getItem(STORAGE_KEY) ?? "{}") as Partial<PanelSettings>) : {};
      } catch {
        return {};
      }
    },
    save: (s) => storage?.setItem(STORAGE_KEY, JSON.stringify(s)),
  };
}

export interface ImportControllerOptions {
  ids?: EditorIds;
  /** The plugin package folder, for finding `bin/porelight.js` next to it. */
  pluginDir?: string;
  settingsStore?: SettingsStore;
  fetchImpl?: typeof fetch;
  /** Waiting for a freshly started daemon, milliseconds. */
  daemonStartTimeoutMs?: number;
}

/** Share of the progress bar per step: daemon, job (upload, queue, compute, download), import. */
const SPAN = { daemon: [0, 3], job: [3, 95], import: [95, 100] } as const;

export class ImportController {
  private state: PanelState;
  private readonly listeners = new Set<() => void>();
  private daemon: DaemonHandle | null = null;
  private abort: AbortController | null = null;
  private material: Material | null = null;
  private jobParameters: Record<SkinSliderKey, number> | null = null;
  private readonly store: SettingsStore;
  private rig: LightingRig | null = null;

  constructor(
    private readonly editor: EditorLike,
    private readonly options: ImportControllerOptions = {},
  ) {
    this.store = options.settingsStore ?? localSettingsStore();
    const settings = { ...SETTINGS_DEFAULTS, ...this.store.load() };
    this.state = { phase: "idle", percent: 0, message: "", error: null, settings, head: null, parameters: null, lighting: { preset: null, rotationDeg: 0 } };
  }

  /** For React's useSyncExternalStore: stable functions, state replaced (never mutated) on change. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  readonly getState = (): PanelState => this.state;

  private set(patch: Partial<PanelState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  updateSettings(patch: Partial<PanelSettings>): void {
    const settings = { ...this.state.settings, ...patch };
    // The token is a secret: it stays in memory for the session only.
    this.store.save({ ...settings, token: "" });
    this.set({ settings });
  }

  /**
   * The whole flow for one photo. Resolves when the head is in the scene (or the run failed or
   * was cancelled: the state says which; the Editor's console has a line either way).
   */
  async importPhoto(photo: JobPhoto): Promise<void> {
    if (this.abort) throw new Error("porelight: an import is already running");
    const abort = (this.abort = new AbortController());
    const { settings } = this.state;
    const log = await this.editor.layout.console.progress(`porelight: importing ${photo.name}`);
    const step = (phase: Phase, span: readonly [number, number], fraction: number, message: string) => {
      this.set({ phase, percent: span[0] + (span[1] - span[0]) * Math.min(1, Math.max(0, fraction)), message, error: null });
      log.setState({ message: `porelight: ${message} (${Math.round(this.state.percent)} %)` });
    };
    let staging: string | null = null;
    try {
      projectDirOf(this.editor); // before any work: the head needs a project to land in
      step("daemon", SPAN.daemon, 0, `looking for the daemon at ${settings.daemonUrl}`);
      const handle = await ensureDaemon({
        url: settings.daemonUrl,
        command: settings.command,
        pluginDir: this.options.pluginDir,
        fetchImpl: this.options.fetchImpl,
        startTimeoutMs: this.options.daemonStartTimeoutMs,
        onOutput: (line) => this.editor.layout.console.log(`porelight serve: ${line}`),
      });
      if (handle.child) this.daemon = handle;
      abort.signal.throwIfAborted();

      const jobOptions: RunJobOptions = {
        url: settings.daemonUrl,
        token: settings.token || undefined,
        preset: settings.preset,
        signal: abort.signal,
        fetchImpl: this.options.fetchImpl ?? nodeFetch,
        onProgress: (fraction, message) => step("job", SPAN.job, fraction, message),
      };
      const job = await runJob(photo, jobOptions);
      staging = job.dir;
      abort.signal.throwIfAborted();

      const imported = await importReconstruction(this.editor, job.dir, {
        name: photo.name.replace(/\.[^.]*$/, ""),
        ids: this.options.ids,
        onProgress: (fraction, message) => step("import", SPAN.import, fraction, message),
      });
      this.material = imported.materials.find(isSkinMaterial) ?? null;
      this.jobParameters = this.material ? readSkinSliders(this.material) : null;
      this.set({
        phase: "done",
        percent: 100,
        message: `added ${imported.root.name}`,
        head: { name: imported.root.name, assetDir: imported.assetDir },
        parameters: this.jobParameters,
      });
      log.setState({ done: true, message: `porelight: added ${imported.root.name} from ${photo.name} (files in ${imported.assetDir})` });
    } catch (err) {
      const cancelled = abort.signal.aborted;
      const message = cancelled ? "cancelled" : (err as Error).message;
      this.set({ phase: cancelled ? "cancelled" : "error", error: cancelled ? null : message, message });
      log.setState({ error: !cancelled, done: cancelled, message: `porelight: ${photo.name}: ${message}` });
    } finally {
      this.abort = null;
      if (staging) await rm(staging, { recursive: true, force: true });
    }
  }

  /** Stops the running import (the daemon job is cancelled too). */
  cancel(): void {
    this.abort?.abort();
  }

  /** Live edit of the last imported head's skin material (the preview re-renders at once). */
  setParameter(key: SkinSliderKey, value: number): void {
    if (!this.material || !this.state.parameters) return;
    writeSkinSlider(this.material, key, value);
    this.set({ parameters: readSkinSliders(this.material) });
  }

  resetParameters(): void {
    if (!this.material || !this.jobParameters) return;
    for (const [key, value] of Object.entries(this.jobParameters)) writeSkinSlider(this.material, key as SkinSliderKey, value);
    this.set({ parameters: readSkinSliders(this.material) });
  }

  /**
   * Lights the Editor's scene with a lighting preset (environment + key light), or removes the
   * preview lighting (null). The environment file comes from the daemon once, then the project.
   */
  async setLighting(preset: EnvironmentId | null): Promise<void> {
    try {
      if (preset === null) {
        const scene = this.editor.layout.preview.scene;
        if (this.rig && scene.environmentTexture === this.rig.environment) scene.environmentTexture = null;
        this.rig?.environment.dispose();
        this.rig?.key.dispose();
        this.rig = null;
      } else {
        const ids = this.options.ids ?? sceneIds(this.editor.layout.preview.scene);
        this.rig = await applyPreviewLighting(this.editor, preset, { daemonUrl: this.state.settings.daemonUrl, fetchImpl: this.options.fetchImpl, ids }, this.rig ?? undefined);
        rotatePreviewLighting(this.rig, (this.state.lighting.rotationDeg * Math.PI) / 180);
      }
      this.set({ lighting: { ...this.state.lighting, preset }, error: null });
    } catch (err) {
      this.set({ error: (err as Error).message });
      this.editor.layout.console.error(`porelight: ${(err as Error).message}`);
    }
  }

  /** Turns the preview lighting about the vertical axis, degrees from the preset's own direction. */
  setLightRotation(degrees: number): void {
    if (this.rig) rotatePreviewLighting(this.rig, (degrees * Math.PI) / 180);
    this.set({ lighting: { ...this.state.lighting, rotationDeg: degrees } });
  }

  /** Cancels any import and stops a daemon this controller started. */
  dispose(): void {
    this.cancel();
    stopDaemon(this.daemon);
    this.daemon = null;
    this.listeners.clear();
  }
}
