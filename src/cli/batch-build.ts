/**
 * What `batch` and `batch --queue` share: which photos the arguments name, the output directory
 * each gets, and the final table (the build key is in src/io/build-record.ts).
 */
import { readdir, stat } from "node:fs/promises";
import { basename, extname, join, relative, resolve } from "node:path";
import { CliError } from "./errors.ts";
import type { PhotoJobOutcome } from "./photo-job.ts";

export const PHOTO_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".avif", ".heic", ".heif"]);

/** `*`, `?` and `**` in a path pattern → RegExp over "/"-separated relative paths. */
function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += pattern[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "i");
}

/** Photos named by the arguments: directories (their photos, not recursive), globs, or files. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    if (/[*?]/.test(input)) {
      const parts = input.split("/");
      const firstGlob = parts.findIndex((p) => /[*?]/.test(p));
      const root = parts.slice(0, firstGlob).join("/") || ".";
      const matcher = globToRegExp(parts.slice(firstGlob).join("/"));
      const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (!e.isFile()) continue;
        const full = join(e.parentPath, e.name);
        if (matcher.test(relative(root, full).split("\\").join("/"))) found.add(resolve(full));
      }
      continue;
    }
    const info = await stat(input).catch(() => null);
    if (!info) throw new CliError(`${input}: no such file or directory`, 2);
    if (info.isDirectory()) {
      for (const name of await readdir(input)) if (PHOTO_EXTENSIONS.has(extname(name).toLowerCase())) found.add(resolve(input, name));
    } else found.add(resolve(input));
  }
  return [...found].sort();
}

/** Output directory names: the file stem, or stem-ext when two photos share a stem. */
export function outputNames(photos: string[]): Map<string, string> {
  const stem = (p: string) => basename(p, extname(p));
  const counts = new Map<string, number>();
  for (const p of photos) counts.set(stem(p), (counts.get(stem(p)) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const p of photos) {
    let name = counts.get(stem(p))! > 1 ? `${stem(p)}-${extname(p).slice(1)}` : stem(p);
    if (!/^[A-Za-z0-9]/.test(name)) name = `photo-${name}`;
    let unique = name;
    for (let i = 2; [...names.values()].includes(unique); i++) unique = `${name}-${i}`;
    names.set(p, unique);
  }
  return names;
}

export function table(rows: PhotoJobOutcome[], cwd: string): string {
  const cells = rows.map((r) => [relative(cwd, r.photo) || r.photo, r.status, r.status === "skipped" ? "-" : `${(r.ms / 1000).toFixed(1)} s`, r.error ? `${r.error.code}: ${r.error.message}` : relative(cwd, r.out) || r.out]);
  const head = ["photo", "status", "time", "output / error"];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((c) => c[i].length))));
  const fmt = (c: string[]) => c.map((v, i) => (i < 3 ? v.padEnd(widths[i]) : v)).join("  ");
  return [fmt(head), fmt(widths.map((w) => "-".repeat(w))), ...cells.map(fmt)].join("\n");
}
