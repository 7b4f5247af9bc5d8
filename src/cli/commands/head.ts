/**
 * `porelight head --out head.glb [--render <dir>] [--json]`: writes the template head as GLB (with
 * ARKit's 52 blendshapes as morph targets) and,
 * with --render, turntable PNGs (front, three-quarter, profile, back, top) under a plain light.
 */
import type { Command } from "commander";
import { evaluateBlendshapes } from "../../geometry/blendshapes.ts";
import { meshToGlb } from "../../geometry/glb.ts";
import { buildTemplateHead } from "../../geometry/template-head.ts";
import { writeFileAtomic } from "../../io/write-atomic.ts";
import { renderTurntable } from "../../render/preview.ts";
import { writePngs } from "../../render/write-images.ts";
import { CliError } from "../errors.ts";

export function register(program: Command): void {
  program
    .command("head")
    .description("write the template head (GLB) and optionally its turntable renders")
    .option("--out <file>", "GLB file to write", "head.glb")
    .option("--render <dir>", "also write turntable PNGs into this directory")
    .option("--size <px>", "turntable image size in pixels", "768")
    .option("--json", "print a JSON summary")
    .action(async (opts: { out: string; render?: string; size: string; json?: boolean }) => {
      const size = Number(opts.size);
      if (!Number.isInteger(size) || size < 16 || size > 8192) throw new CliError(`--size must be a whole number of pixels between 16 and 8192; got ${opts.size}`);
      const head = buildTemplateHead();
      await writeFileAtomic(opts.out, await meshToGlb(head.mesh, head.parts, evaluateBlendshapes(head.mesh.positions, head)));
      const renders = opts.render ? await writePngs(opts.render, renderTurntable(head.mesh, { size, parts: head.parts })) : [];
      const summary = {
        glb: opts.out,
        vertices: head.mesh.positions.length / 3,
        triangles: head.mesh.indices.length / 3,
        parts: head.parts.map((p) => ({ part: p.part, triangles: p.indexCount / 3 })),
        renders,
      };
      if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
      else process.stdout.write(`wrote ${opts.out} (${summary.triangles} triangles)${renders.length ? `; renders in ${opts.render}` : ""}\n`);
    });
}
