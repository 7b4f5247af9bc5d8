/**
 * porelight's version, read from the package's own package.json so the CLI, the daemon and an
 * installed package always agree.
 */
import { readFileSync } from "node:fs";

export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
