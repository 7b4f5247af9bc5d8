/**
 * Files in an Editor project. The Editor resolves every texture and asset by a name relative to
 * the project folder (the directory of the `.bjseditor` file; it loads scenes with that folder as
 * rootUrl), always with forward slashes, and shows only what lives under `assets/` in its assets
 * browser. Everything the plugin adds goes to `assets/porelight/<name>/`.
 */
import { copyFile, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { posix } from "node:path";
import type { EditorLike } from "./editor-like.ts";

/** Folder under the project's `assets/` that holds one sub-folder per imported head. */
export const ASSETS_SUBDIR = "porelight";

/** Forward slashes everywhere: the Editor's own convention, also on Windows. */
export function toPosix(path: string): string {
  return path.replace(/\\/g, "/");
}

/** The open project's folder (absolute, forward slashes). */
export function projectDirOf(editor: EditorLike): string {
  const projectPath = editor.state.projectPath;
  if (!projectPath) throw new Error("porelight: no project is open in the Babylon.js Editor; open or create a project first");
  return posix.dirname(toPosix(projectPath));
}

/** `absolute` as a name relative to the project folder; throws when it lies outside. */
export function projectRelative(projectDir: string, absolute: string): string {
  const rel = posix.relative(toPosix(projectDir), toPosix(absolute));
  if (rel === "" || rel.startsWith("../") || rel === ".." || posix.isAbsolute(rel)) {
    throw new Error(`porelight: ${absolute} is not inside the project folder ${projectDir}`);
  }
  return rel;
}

/** A file or folder name safe on every OS: letters, digits, dot, dash, underscore. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|[-.]+$/g, "");
  return cleaned.slice(0, 64) || "head";
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh folder name under `assets/porelight/` for `name`: `name`, then `name-2`, `name-3`…
 * Importing the same job twice never overwrites textures a saved scene already points at.
 */
export async function freshAssetDir(projectDir: string, name: string): Promise<string> {
  const base = posix.join(projectDir, "assets", ASSETS_SUBDIR, safeName(name));
  for (let n = 1; n < 10_000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`porelight: too many imports named ${name} under assets/${ASSETS_SUBDIR}`);
}

/** Relative names (forward slashes) of every regular file under `dir`, sorted; dot-files skipped. */
export async function listFiles(dirPath: string): Promise<string[]> {
  const dir = toPosix(dirPath);
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(posix.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out.push(child);
    }
  }
  await walk("");
  return out.sort();
}

/**
 * Folder of the project, outside `assets/`, for a job's debug maps: the Editor's export copies
 * every image under `assets/` into the published game, and these are for inspection only.
 */
export const DEBUG_SUBDIR = "porelight-debug";

/**
 * Copies the files of `srcDir` (all, or those `names` lists) into `destDir` (created), keeping
 * sub-folders. Each file goes through a temporary name and a rename, so the Editor's assets
 * watcher never sees half a PNG. Returns the copied names relative to `destDir`.
 */
export async function copyTree(srcPath: string, destPath: string, only?: readonly string[]): Promise<string[]> {
  const srcDir = toPosix(srcPath);
  const destDir = toPosix(destPath);
  const names = only ? [...only] : await listFiles(srcDir);
  if (names.length === 0) throw new Error(`porelight: ${srcDir} holds no files to import`);
  for (const name of names) {
    const target = posix.join(destDir, name);
    await mkdir(posix.dirname(target), { recursive: true });
    const temp = posix.join(posix.dirname(target), `.${posix.basename(target)}.${process.pid}.porelight-tmp`);
    try {
      await copyFile(posix.join(srcDir, name), temp);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
  return names;
}
