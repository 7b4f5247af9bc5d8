/**
 * porelight's cache directory on this machine (converted models, the template head):
 * $PORELIGHT_CACHE_DIR, else $XDG_CACHE_HOME/porelight, else ~/.cache/porelight. Not created here.
 */
import os from "node:os";
import path from "node:path";

export function cacheDir(): string {
  if (process.env.PORELIGHT_CACHE_DIR) return path.resolve(process.env.PORELIGHT_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), ".cache"), "porelight");
}
