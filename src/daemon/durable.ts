/**
 * fsync for directories. A file's own fsync makes its bytes durable; its name (a create or a
 * rename) becomes durable only when the directory holding it is synced too. Without this a power
 * cut can leave a job record saying "done" next to an `out/` directory that never reached the disk.
 */
import { open } from "node:fs/promises";

/** Flushes the entries of directory `path` to disk. */
export async function syncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
