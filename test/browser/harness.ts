/**
 * Browser-test harness: writing a job's files into a folder, a tiny static server for /scenes/
 * (sample-scenes/dist) and /job/, Debian's Chromium through playwright-core, and pixel statistics
 * on canvas screenshots. The job itself is made once per suite by global-setup.ts.
 */
import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { chromium, type Browser, type Page } from "playwright-core";
import type { OutputFile } from "../../src/types.ts";
import { buildScenes, SCENES_DIST } from "../../scripts/build-scenes.ts";
import { build } from "esbuild";

export const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const ARTIFACTS = path.join(ROOT, "test-artifacts", "browser");
export const CHROMIUM = "/usr/bin/chromium";
/**
 * Time-out of one canvas screenshot in a test under vitest.browser.config.ts's 180 s testTimeout,
 * ms. A screenshot waits for the compositor's next frame, which SwiftShader draws on the CPU: a
 * second or two on a quiet machine, past Playwright's 30 s default at load 25 (two in
 * scenes.test.ts, 2026-12-06). A slow frame is not what these tests check, so the bound is the
 * test's own time-out less a margin for the rest of the test: a frame that never comes still
 * fails, with Playwright's message naming the screenshot.
 */
export const SCREENSHOT_TIMEOUT_MS = 170_000;

/** Writes a job's output files under `dir` (temp file + rename, as the daemon does). */
export async function writeJobFiles(dir: string, files: OutputFile[]): Promise<void> {
  for (const f of files) {
    const file = path.join(dir, f.name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file + ".tmp", f.bytes);
    await rename(file + ".tmp", file);
  }
}

/** Newest modification time (ms) of the files under `dir`. */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Writes the bare three.js viewer (three-viewer.ts, bundled) into `dir` as `page` (a `width` × `height` canvas) +
 * three-viewer.js, with the Basis transcoder the `three` package ships under basis/ (KTX2Loader).
 */
export async function prepareThreeViewer(dir: string, width = 480, height = width, page = "index.html"): Promise<void> {
  await build({ entryPoints: [path.join(ROOT, "test", "browser", "three-viewer.ts")], outfile: path.join(dir, "three-viewer.js"), bundle: true, format: "esm", platform: "browser", target: "es2022", logLevel: "warning" });
  await writeFile(path.join(dir, page), `<!doctype html><html><body style="margin:0"><canvas id="view" width="${width}" height="${height}"></canvas><script type="module" src="three-viewer.js"></script></body></html>`);
  await mkdir(path.join(dir, "basis"), { recursive: true });
  for (const file of ["basis_transcoder.js", "basis_transcoder.wasm"]) await copyFile(path.join(ROOT, "node_modules", "three", "examples", "jsm", "libs", "basis", file), path.join(dir, "basis", file));
}

/** Builds sample-scenes/dist when it is missing or older than its sources (scenes or materials). */
export async function ensureScenesBuilt(): Promise<void> {
  const app = path.join(SCENES_DIST, "app.js");
  const missing = !existsSync(app) || !existsSync(path.join(SCENES_DIST, "environments", "studio.hdr"));
  const sources = Math.max(await newestMtime(path.join(ROOT, "sample-scenes", "src")), await newestMtime(path.join(ROOT, "materials")));
  if (missing || (await stat(app)).mtimeMs < sources) await buildScenes();
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".babylon": "application/json", ".json": "application/json", ".hdr": "application/octet-stream", ".glb": "model/gltf-binary", ".wasm": "application/wasm" };

/** Serves /scenes/* from sample-scenes/dist and /job/* from `jobDir` on 127.0.0.1. */
export async function serve(jobDir: string): Promise<{ server: Server; base: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const route = url.pathname.startsWith("/scenes/") ? [SCENES_DIST, url.pathname.slice(8)] : url.pathname.startsWith("/job/") ? [jobDir, url.pathname.slice(5)] : null;
    if (!route) { res.writeHead(url.pathname === "/favicon.ico" ? 204 : 404).end(); return; }
    const file = path.join(route[0], path.normalize(decodeURIComponent(route[1])).replace(/^(\.\.[/\\])+/, ""));
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no server address");
  return { server, base: `http://127.0.0.1:${address.port}` };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    headless: true,
  });
}

/** A page of the served site, ready (window.porelight.ready), with the console errors it logs. */
export interface OpenedPage {
  page: Page;
  errors: string[];
}

/** What a browser test file runs against: `dir` served as /job/ beside /scenes/, and Chromium. */
export interface BrowserSession {
  /** Opens `url` (a path on the server, e.g. /scenes/sss.html?…) and waits for the scene. */
  open(url: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
  /** Opens `url` and waits for nothing (pages other than the sample scenes). */
  openPlain(url: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
  close(): Promise<void>;
}

/** Makes ARTIFACTS, serves `dir` and launches Chromium. */
export async function startBrowserSession(dir: string): Promise<BrowserSession> {
  await mkdir(ARTIFACTS, { recursive: true });
  const { server, base } = await serve(dir);
  const closeServer = () => new Promise((r) => server.close(r));
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await closeServer();
    throw err;
  }
  const openPlain = async (url: string, viewport = { width: 1000, height: 640 }): Promise<OpenedPage> => {
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${base}${url}`);
    return { page, errors };
  };
  return {
    openPlain,
    async open(url, viewport = { width: 1000, height: 640 }) {
      const opened = await openPlain(url, viewport);
      await opened.page.waitForFunction(() => window.porelight !== undefined);
      await opened.page.evaluate(() => window.porelight.ready);
      return opened;
    },
    async close() {
      await browser.close();
      await closeServer();
    },
  };
}

export interface PixelStats {
  /** Fraction of pixels that differ from the background (the corner colour). */
  coverage: number;
  /** Mean linear-ish 0..1 RGB over the head pixels. */
  mean: [number, number, number];
  /** Fractions of head pixels that are near black, near white, or NaN-magenta. */
  black: number;
  white: number;
  magenta: number;
  /** Centroid (px) of the brightest 2 % head pixels: where the highlights are. */
  highlight: [number, number];
}

export async function pixelStats(png: Buffer): Promise<PixelStats> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const bg = [data[0], data[1], data[2]];
  const head: number[] = [];
  const sum = [0, 0, 0];
  let black = 0, white = 0, magenta = 0;
  for (let i = 0; i < width * height; i++) {
    const r = data[i * 3], g = data[i * 3 + 1], b = data[i * 3 + 2];
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) <= 12) continue;
    head.push(i);
    sum[0] += r; sum[1] += g; sum[2] += b;
    if (r + g + b < 15) black++;
    if (r > 250 && g > 250 && b > 250) white++;
    if (r > 200 && b > 200 && g < 60) magenta++;
  }
  const n = Math.max(1, head.length);
  const lum = (i: number) => 0.2126 * data[i * 3] + 0.7152 * data[i * 3 + 1] + 0.0722 * data[i * 3 + 2];
  const sorted = [...head].sort((a, b) => lum(b) - lum(a) || a - b).slice(0, Math.max(1, Math.round(n * 0.02)));
  let cx = 0, cy = 0;
  for (const i of sorted) { cx += i % width; cy += Math.floor(i / width); }
  return {
    coverage: head.length / (width * height),
    mean: [sum[0] / n / 255, sum[1] / n / 255, sum[2] / n / 255],
    black: black / n, white: white / n, magenta: magenta / n,
    highlight: [cx / sorted.length, cy / sorted.length],
  };
}

/**
 * Where the picture got brighter and where it got darker between two shots (luminance-weighted
 * centroids, px): when a light moves, its highlight leaves one place and appears at another.
 */
export async function brightnessShift(a: Buffer, b: Buffer): Promise<{ gained: [number, number]; lost: [number, number]; distance: number; change: number }> {
  const ra = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rb = await sharp(b).removeAlpha().raw().toBuffer();
  const { width, height } = ra.info;
  const g = [0, 0, 0], l = [0, 0, 0];
  let change = 0;
  for (let i = 0; i < width * height; i++) {
    const la = 0.2126 * ra.data[i * 3] + 0.7152 * ra.data[i * 3 + 1] + 0.0722 * ra.data[i * 3 + 2];
    const lb = 0.2126 * rb[i * 3] + 0.7152 * rb[i * 3 + 1] + 0.0722 * rb[i * 3 + 2];
    const d = lb - la, x = i % width, y = Math.floor(i / width);
    const acc = d > 0 ? g : l, w = Math.abs(d);
    acc[0] += w * x; acc[1] += w * y; acc[2] += w;
    change += w;
  }
  const gained: [number, number] = [g[0] / Math.max(g[2], 1e-9), g[1] / Math.max(g[2], 1e-9)];
  const lost: [number, number] = [l[0] / Math.max(l[2], 1e-9), l[1] / Math.max(l[2], 1e-9)];
  return { gained, lost, distance: Math.hypot(gained[0] - lost[0], gained[1] - lost[1]), change: change / (width * height) };
}


/**
 * What a change added to a picture (b − a, 8-bit levels): mean gain per channel over the frame,
 * and the share of the red gain that lies in the middle half of the head's width (columns that
 * differ from the background in `a`). Backlit ears glow at the sides of a head seen from the front.
 */
export async function sideGain(a: Buffer, b: Buffer): Promise<{ mean: [number, number, number]; centralShare: number }> {
  const ra = await sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rb = await sharp(b).removeAlpha().raw().toBuffer();
  const { width, height } = ra.info;
  const bg = [ra.data[0], ra.data[1], ra.data[2]];
  let x0 = width, x1 = -1;
  const redByColumn = new Float64Array(width);
  const sum = [0, 0, 0];
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    if (Math.abs(ra.data[i * 3] - bg[0]) + Math.abs(ra.data[i * 3 + 1] - bg[1]) + Math.abs(ra.data[i * 3 + 2] - bg[2]) > 12) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); }
    for (let c = 0; c < 3; c++) sum[c] += rb[i * 3 + c] - ra.data[i * 3 + c];
    redByColumn[x] += Math.max(0, rb[i * 3] - ra.data[i * 3]);
  }
  const quarter = (x1 - x0) / 4;
  let central = 0, total = 0;
  for (let x = 0; x < width; x++) {
    total += redByColumn[x];
    if (x >= x0 + quarter && x <= x1 - quarter) central += redByColumn[x];
  }
  const n = width * height;
  return { mean: [sum[0] / n, sum[1] / n, sum[2] / n], centralShare: central / Math.max(total, 1e-9) };
}

/**
 * Mean squared 4-neighbour Laplacian of luminance (8-bit) over the highlight: the brightest 20 %
 * of the head's pixels in the flat control (the same pixels are used for both shots).
 */
export async function highlightEnergy(shot: Buffer, control: Buffer): Promise<number> {
  const lum = async (png: Buffer) => {
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const y = new Float32Array(info.width * info.height);
    for (let i = 0; i < y.length; i++) y[i] = 0.2126 * data[3 * i] + 0.7152 * data[3 * i + 1] + 0.0722 * data[3 * i + 2];
    return { y, w: info.width, h: info.height };
  };
  const a = await lum(shot), c = await lum(control);
  const bg = c.y[0];
  const head = [...c.y.keys()].filter((i) => Math.abs(c.y[i] - bg) > 4);
  const sorted = head.map((i) => c.y[i]).sort((p, q) => q - p);
  const threshold = sorted[Math.floor(sorted.length * 0.2)] ?? Infinity;
  let sum = 0, n = 0;
  for (const i of head) {
    const x = i % a.w, yy = Math.floor(i / a.w);
    if (c.y[i] < threshold || x < 1 || yy < 1 || x >= a.w - 1 || yy >= a.h - 1) continue;
    const l = 4 * a.y[i] - a.y[i - 1] - a.y[i + 1] - a.y[i - a.w] - a.y[i + a.w];
    sum += l * l;
    n++;
  }
  return n ? sum / n : 0;
}
