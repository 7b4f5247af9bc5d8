/**
 * The fitted head's geometry alone, to be looked at for an expression left in the neutral head
 * (issue 16): the photo's face, then the neutral head and the head as photographed from the front
 * and at 45°, all in one grey skin material under the studio light (eval/rerender.ts studioView),
 * so that no texture (fold shading, lip outline) can carry a smile. Written by
 * eval/expression-probe.ts when PORELIGHT_PROBE_VIEWS names a folder; fit only, a second per photo.
 */
import { writeFile, rename, mkdir } from "node:fs/promises";
import path from "node:path";
import { A_S_NOMINAL } from "../materials/skin-parameters.ts";
import { NOSE_TIP } from "../src/primitives/face-topology.ts";
import type { FitResult, ImageF32, Mesh } from "../src/types.ts";
import { studioView } from "./rerender.ts";
import type { SkinMaps } from "./shade-skin.ts";
import type { SetPhoto } from "./shape-fit.ts";
import { cropPanel, faceWindow, stripPng, type StripPanel } from "./strip.ts";

/** Panel height, pixels. */
const SIZE = 320;
/** A mid skin tone, sRGB 0..1 (any uniform colour would do: the point is that it is uniform). */
const GREY_SKIN: [number, number, number] = [0.72, 0.6, 0.52];

/** One uniform A_D and the nominal A_S: the head's shading comes from its geometry only. */
function uniformMaps(): SkinMaps {
  const data = new Float32Array(4 * 4 * 3);
  for (let i = 0; i < 16; i++) data.set(GREY_SKIN, 3 * i);
  const albedoDiffuse: ImageF32 = { width: 4, height: 4, channels: 3, data, colorSpace: "srgb" };
  return { albedoDiffuse, albedoSpecular: A_S_NOMINAL };
}

/** The views of one fit as a strip PNG at `file` (written to a temp file, then renamed). */
export async function writeShapeViews(file: string, photo: SetPhoto, fitted: FitResult, landmarkVertices: Int32Array): Promise<void> {
  const maps = uniformMaps();
  const noseOf = (mesh: Mesh): [number, number, number] => {
    const v = landmarkVertices[NOSE_TIP];
    return [mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2]];
  };
  const views = (label: string, mesh: Mesh): StripPanel[] => [0, 45].map((turn) => ({ label: `${label}, ${turn ? "45°" : "front"}`, image: studioView(mesh, maps, noseOf(mesh), SIZE, turn, 0) }));
  const panels: StripPanel[] = [
    { label: "photo", image: cropPanel(photo.capture.image, faceWindow(photo.capture.landmarks), SIZE) },
    ...views("neutral", fitted.mesh),
    ...(fitted.photographed ? views("as photographed", fitted.photographed) : []),
  ];
  const caption = `${photo.person} / ${photo.name} · geometry only (uniform skin)${fitted.expression ? "" : " · no expression fitted"}`;
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, await stripPng(panels, caption, SIZE));
  await rename(tmp, file);
}
