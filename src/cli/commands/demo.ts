/**
 * `porelight demo` (`npm run demo`), first version: runs capture on the bundled public-domain
 * photo and prints the face box, head pose and a summary of the 478 landmarks. It will grow into
 * the full photo-to-head pipeline as the later stages land.
 */
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { decodeImage } from "../../image/decode.ts";
import { capture } from "../../pipeline/capture.ts";
import { disposeSessions } from "../../models/session.ts";
import { captureSummary, modelProgress } from "./capture.ts";

const SAMPLE = fileURLToPath(new URL("../../../test/fixtures/astronaut-nasa-public-domain.png", import.meta.url));

export function register(program: Command): void {
  program
    .command("demo")
    .description("run what exists of the pipeline on the bundled sample photo (today: capture)")
    .action(async () => {
      const started = performance.now();
      const { image } = await decodeImage(SAMPLE);
      const result = await capture(image, {}, { onModelProgress: modelProgress });
      process.stdout.write(captureSummary("sample photo (NASA, public domain)", result) + "\n");
      process.stdout.write(`done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
      await disposeSessions();
    });
}
