/**
 * fit's silhouette term, looked at (`npm run eval -- <photos-dir> --fit --overlays --out <dir>`):
 * per photo one PNG, left to right:
 *   1. the photo round the head with its outline (the person mask's boundary) coloured by trust —
 *      green the head's own outline, yellow partly, red no evidence (hair, hands, clothes, border) —
 *      and the fitted head's occluding contour with the landmark warp alone (blue) and with the
 *      silhouette term (magenta);
 *   2. the head without / with the term, turned 45°;
 *   3. the same in profile.
 * And the outline distance before → after (share of the inter-ocular distance) and both fit times.
 */
import { fit, FIT_DEFAULTS } from "../src/pipeline/fit.ts";
import { maskAt, matchOutline, outlineColours } from "../src/pipeline/fit/photo-contour.ts";
import { meanResidual, occludingContour, pairContour, searchOf, SILHOUETTE_DEFAULTS, type ContourPoint } from "../src/pipeline/fit/silhouette.ts";
import { LOWER_LIP_BOTTOM } from "../src/primitives/face-topology.ts";
import { lookAtCamera } from "../src/render/camera.ts";
import { renderPreview } from "../src/render/preview.ts";
import type { CaptureResult, FitResult, ImageF32, LensHint, TemplateHead } from "../src/types.ts";
import { cropPanel, faceWindow, type CropWindow } from "./strip.ts";

export interface OutlineFigures {
  /** Trust-weighted mean |offset| between the head's contour and the photo's outline, share of the inter-ocular distance. */
  beforeIod: number;
  afterIod: number;
  /** Contour points paired with the photo's outline. */
  pairsBefore: number;
  pairsAfter: number;
  /** Fit CPU time without / with the term, ms. */
  msBefore: number;
  msAfter: number;
}

const PANEL = 512;

/** Fits with and without the silhouette term; the figures, the fit with the term, and the overlay panels side by side. */
export function fitOverlay(cap: CaptureResult, head: TemplateHead, lens: LensHint | null = null): { figures: OutlineFigures; fitted: FitResult; image: ImageF32 } {
  // CPU time, not wall time: the machine the evaluation runs on may be shared.
  const cpuMs = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
  let t0 = cpuMs();
  const before = fit({ capture: cap, head, lens }, { silhouette: { ...SILHOUETTE_DEFAULTS, iterations: 0 } });
  const msBefore = cpuMs() - t0;
  t0 = cpuMs();
  const after = fit({ capture: cap, head, lens }, FIT_DEFAULTS);
  const msAfter = cpuMs() - t0;
  const colours = outlineColours(cap);
  const search = searchOf(after.interocularPx, SILHOUETTE_DEFAULTS);
  const contours = [before, after].map((r) => occludingContour(head, r.mesh.positions, r.camera));
  const pairs = colours ? contours.map((c) => pairContour(cap, colours, c, search)) : [[], []];
  const figures: OutlineFigures = {
    beforeIod: meanResidual(pairs[0]) / after.interocularPx,
    afterIod: meanResidual(pairs[1]) / after.interocularPx,
    pairsBefore: pairs[0].length,
    pairsAfter: pairs[1].length,
    msBefore,
    msAfter,
  };
  const win = headWindow(faceWindow(cap.landmarks));
  const photo = drawContours(cropPanel(cap.image, win, PANEL), cap, win, contours, after.interocularPx);
  const turned = [45, 90].map((deg) => sideBySide([turnedView(before, head, deg), turnedView(after, head, deg)]));
  return { figures, fitted: after, image: sideBySide([photo, ...turned]) };
}

/** The face window widened and lowered to take in the neck and the ears. */
function headWindow(w: CropWindow): CropWindow {
  const side = 1.3 * w.side;
  return { x: w.x - (side - w.side) / 2, y: w.y - 0.05 * w.side, side };
}

/** The photo outline coloured by trust, then the contours (blue before, magenta after), on a crop panel. */
function drawContours(panel: ImageF32, cap: CaptureResult, win: CropWindow, contours: ContourPoint[][], iod: number): ImageF32 {
  const out = { ...panel, data: Float32Array.from(panel.data) };
  const a = PANEL / win.side;
  const dot = (x: number, y: number, colour: number[], r: number) => {
    for (let j = Math.floor(y - r); j <= Math.ceil(y + r); j++) for (let i = Math.floor(x - r); i <= Math.ceil(x + r); i++) {
      if (i < 0 || j < 0 || i >= PANEL || j >= PANEL || (i + 0.5 - x) ** 2 + (j + 0.5 - y) ** 2 > r * r) continue;
      out.data.set(colour, 3 * (j * PANEL + i));
    }
  };
  const person = cap.masks.person;
  const colours = outlineColours(cap);
  if (person && colours) {
    const { width: W, height: H } = cap.image;
    const photoAt = (i: number, j: number) => [win.x + (i + 0.5) / a, win.y + (j + 0.5) / a];
    const p = new Float32Array(PANEL * PANEL);
    for (let j = 0; j < PANEL; j++) for (let i = 0; i < PANEL; i++) {
      const [x, y] = photoAt(i, j);
      p[j * PANEL + i] = maskAt(person, W, H, x, y);
    }
    const search = { ...searchOf(iod, SILHOUETTE_DEFAULTS), rangePx: SILHOUETTE_DEFAULTS.band * iod * 2 };
    const lipY = cap.landmarks[3 * LOWER_LIP_BOTTOM + 1];
    for (let j = 1; j < PANEL - 1; j++) for (let i = 1; i < PANEL - 1; i++) {
      const k = j * PANEL + i;
      if (p[k] < 0.5 || Math.min(p[k - 1], p[k + 1], p[k - PANEL], p[k + PANEL]) >= 0.5) continue;
      const gx = p[k + 1] - p[k - 1], gy = p[k + PANEL] - p[k - PANEL];
      const gl = Math.hypot(gx, gy) || 1;
      const [x, y] = photoAt(i, j);
      const m = matchOutline(cap, colours, x, y, -gx / gl, -gy / gl, { ...search, beardZone: y > lipY });
      const trust = m?.trust ?? 0;
      dot(i + 0.5, j + 0.5, trust >= 0.5 ? [0.1, 1, 0.2] : trust > 0 ? [1, 0.9, 0.1] : [1, 0.15, 0.1], 0.8);
    }
  }
  contours.forEach((c, k) => {
    for (const q of c) dot((q.pixel[0] - win.x) * a, (q.pixel[1] - win.y) * a, k === 0 ? [0.2, 0.5, 1] : [1, 0.2, 1], 2);
  });
  return out;
}

/** The fitted head from the side: `deg` about the vertical axis, camera 0.75 m away, no shading of the photo. */
function turnedView(r: FitResult, head: TemplateHead, deg: number): ImageF32 {
  const p = r.mesh.positions;
  const c = [0, 1, 2].map((k) => {
    let s = 0;
    for (let v = 0; v < p.length / 3; v++) s += p[3 * v + k];
    return (3 * s) / p.length;
  });
  const rad = (deg * Math.PI) / 180, d = 0.75;
  const camera = lookAtCamera({ eye: [c[0] + d * Math.sin(rad), c[1], c[2] + d * Math.cos(rad)], target: [c[0], c[1], c[2]], fovYDeg: 22, width: PANEL / 2, height: PANEL });
  return renderPreview(r.mesh, camera, { parts: head.parts });
}

/** Images of one height side by side. */
function sideBySide(images: ImageF32[]): ImageF32 {
  const H = images[0].height;
  const W = images.reduce((s, i) => s + i.width, 0);
  const data = new Float32Array(W * H * 3);
  let x0 = 0;
  for (const im of images) {
    for (let y = 0; y < H; y++) data.set(im.data.subarray(3 * y * im.width, 3 * (y + 1) * im.width), 3 * (y * W + x0));
    x0 += im.width;
  }
  return { width: W, height: H, channels: 3, data, colorSpace: "srgb" };
}
