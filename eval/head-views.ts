/**
 * The whole head turned about, to be looked at for one continuous skin (issue 13): per photo one
 * strip of the masks and contaminated texels over the photo (eval/mask-overlay.ts), A_D, and the
 * head under a studio light from the front, 45°, the profile, the back and the top, with the
 * clean-skin checks (contamination, border ΔE00) in the caption. The whole pipeline at draft,
 * minutes per photo:
 *   node --import tsx eval/head-views.ts <photos-dir> <out-dir> [a.jpg,b.png]
 */
import type { StageResults } from "../src/types.ts";
import { contaminationOverlay } from "./mask-overlay.ts";
import { jobMouthParts, studioView } from "./rerender.ts";
import type { SkinMaps } from "./shade-skin.ts";
import { skinChecks } from "./skin-checks.ts";
import { cropPanel, faceWindow, mapPanel, stripPng, type StripPanel } from "./strip.ts";

/** Panel height, pixels. */
const SIZE = 320;
/** The turntable: label, turn to the subject's left (degrees), elevation (degrees). */
const VIEWS: [string, number, number][] = [["front", 0, 0], ["45°", 45, 0], ["profile", 90, 0], ["back", 180, 0], ["top", 0, 80]];

/** The strip's panels and caption for one reconstruction. */
export function headViewPanels(stages: StageResults): { panels: StripPanel[]; caption: string } {
  const { capture: cap, fit, unwrap: u, delight: delit, specular: spec, normals: nrm } = stages;
  const maps: SkinMaps = {
    albedoDiffuse: delit.albedo,
    albedoSpecular: spec.specularAlbedo,
    normalsDiffuse: nrm.normalsDiffuse,
    normalsSpecular: nrm.normalsSpecular,
    ambientOcclusion: u.ambientOcclusion,
    plainParts: jobMouthParts(stages, fit.mesh),
  };
  const v = fit.head.landmarkVertices[1]; // MediaPipe's nose tip
  const p = fit.mesh.positions;
  const nose: [number, number, number] = [p[3 * v], p[3 * v + 1], p[3 * v + 2]];
  const checks = skinChecks(stages);
  const panels: StripPanel[] = [
    { label: "masks + contaminated (yellow)", image: cropPanel(contaminationOverlay(stages), faceWindow(cap.landmarks), SIZE) },
    { label: "A_D", image: mapPanel(delit.albedo, SIZE, "color") },
    ...VIEWS.map(([label, turn, elevation]) => ({ label, image: studioView(fit.mesh, maps, nose, SIZE, turn, elevation) })),
  ];
  const pct = checks.contamination === null ? "–" : (100 * checks.contamination).toFixed(2);
  const caption = `contamination ${pct} % · border ΔE00 ${checks.borderDeltaE?.toFixed(2) ?? "–"} (wide ${checks.borderWideDeltaE?.toFixed(2) ?? "–"}, line ${checks.borderLineDeltaE?.toFixed(2) ?? "–"}) · iris ΔE00 ${checks.irisDeltaE?.toFixed(1) ?? "–"}`;
  return { panels, caption };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const [dir, outDir, only] = process.argv.slice(2);
  if (!dir || !outDir) {
    process.stderr.write("usage: node --import tsx eval/head-views.ts <photos-dir> <out-dir> [a.jpg,b.png]\n");
    process.exit(2);
  }
  const { readFile, writeFile, mkdir } = await import("node:fs/promises");
  const path = await import("node:path");
  const { reconstruct } = await import("../src/pipeline/reconstruct.ts");
  const { listPhotos } = await import("./run.ts");
  const { disposeSessions } = await import("../src/models/session.ts");
  await mkdir(outDir, { recursive: true });
  for (const name of await listPhotos(dir, only ? only.split(",") : [])) {
    try {
      const t0 = performance.now();
      const stages: Partial<StageResults> = {};
      const bytes = new Uint8Array(await readFile(path.join(dir, name)));
      await reconstruct(bytes, { preset: "draft", face: 0, formats: ["glb"] }, { onStageResult: (stage, value) => void Object.assign(stages, { [stage]: value }) });
      const { panels, caption } = headViewPanels(stages as StageResults);
      await writeFile(path.join(outDir, name.replace(/\.[a-z]+$/i, ".png")), await stripPng(panels, `${name} · ${caption}`, SIZE));
      process.stdout.write(`${name}: ${caption} · ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    } catch (err) {
      process.stdout.write(`${name}: ${(err as Error).message}\n`);
    }
  }
  await disposeSessions();
}
