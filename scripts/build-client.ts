/**
 * Compiles the typed daemon client for the npm package: `src/client.ts` and the modules it imports
 * → `dist/client/` (ES modules + `.d.ts`), the `porelight/client` entry. Users import it without
 * TypeScript or tsx; the CLI and the daemon still run from the shipped sources through tsx.
 *
 *   node --import tsx scripts/build-client.ts     # also run by `npm pack` (prepack)
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "dist", "client");

/** Removes the previous build (a file deleted from src/ must not linger in the package) and runs tsc. */
export function buildClient(): string {
  rmSync(OUT, { recursive: true, force: true });
  // typescript's `exports` hide its bin; its package.json is exported and names it.
  const pkgJson = createRequire(join(ROOT, "package.json")).resolve("typescript/package.json");
  const tsc = join(dirname(pkgJson), (JSON.parse(readFileSync(pkgJson, "utf8")) as { bin: { tsc: string } }).bin.tsc);
  const run = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.client.json")], { cwd: ROOT, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`tsc failed building the client (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  return OUT;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`client: ${buildClient()}\n`);
}
