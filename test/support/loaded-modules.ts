/**
 * What a fresh process resolves while it runs a program: a child Node process with tsx and
 * test/support/resolve-log-hook.mjs. For tests about which modules a process loads.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const HOOK = new URL("./resolve-log-hook.mjs", import.meta.url).href;

/** One module a program resolved, the module that asked for it, and how it was named there. */
export interface Resolved {
  url: string;
  parent: string;
  specifier: string;
}

/**
 * Runs `body` (an ES module's top-level code, tsx registered, cwd the repository) in a fresh
 * process; each call of `mark()` starts a new group. Returns the modules resolved
 * per group: the first before any mark.
 */
export function resolvedByGroup(body: string, env: NodeJS.ProcessEnv = process.env): Resolved[][] {
  const program = `import { register } from "node:module";
register(${JSON.stringify(HOOK)});
const { register: tsx } = await import("tsx/esm/api");
tsx();
const mark = () => process.stderr.write("resolved: mark - -\\n");
${body}`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], { cwd: REPO, env, encoding: "utf8", timeout: 120_000, maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`the probe exited with ${run.status ?? run.signal} (${run.error?.message ?? "no error"}):\n${run.stderr.slice(-4000)}`);
  const groups: Resolved[][] = [[]];
  for (const m of run.stderr.matchAll(/^resolved: (\S+) (\S+) (\S+)$/gm)) {
    if (m[1] === "mark") groups.push([]);
    else groups.at(-1)!.push({ url: m[1], parent: m[2], specifier: m[3] });
  }
  return groups;
}

/** A repository file's path relative to the repository ("src/…"), or the URL itself outside it. */
export function repoRelative(url: string): string {
  const file = url.startsWith("file:") ? fileURLToPath(url) : url;
  return file.startsWith(REPO) ? file.slice(REPO.length).replace(/^\//, "") : url;
}

export const REPO_ROOT = REPO;
