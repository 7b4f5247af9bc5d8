/**
 * Decodes a KTX2 (Basis Universal) image to RGBA8 in Node, for tests: Binomial's transcoder as
 * `@babylonjs/core` ships it (assets/Basis/basis_transcoder.{js,wasm}),
 * the same one the sample scenes serve to Babylon (materials/ktx2-decoder-babylon.ts).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Ktx2File {
  isValid(): boolean;
  getWidth(): number;
  getHeight(): number;
  getLevels(): number;
  startTranscoding(): boolean;
  getImageLevelInfo(level: number, layer: number, face: number): { origWidth: number; origHeight: number };
  getImageTranscodedSizeInBytes(level: number, layer: number, face: number, format: number): number;
  transcodeImage(dst: Uint8Array, level: number, layer: number, face: number, format: number, alpha: number, c0: number, c1: number): number;
  close(): void;
  delete(): void;
}
interface BasisModule { initializeBasis(): void; KTX2File: new (data: Uint8Array) => Ktx2File }

/** basisu's transcoder_texture_format: uncompressed 8-bit RGBA. */
const RGBA32 = 13;

let basis: Promise<BasisModule> | undefined;

function transcoder(): Promise<BasisModule> {
  basis ??= (async () => {
    const require = createRequire(import.meta.url);
    type Factory = (o: { wasmBinary: Uint8Array }) => Promise<BasisModule>;
    // Evaluated as a plain script with `process` hidden: the emscripten glue then neither installs
    // Node process handlers (its unhandledRejection → abort) nor looks for files; it gets the bytes.
    const script = readFileSync(require.resolve("@babylonjs/core/assets/Basis/basis_transcoder.js"), "utf8");
    const module = { exports: {} as unknown };
    new Function("module", "exports", "process", script)(module, module.exports, undefined);
    const BASIS = module.exports as Factory;
    const m = await BASIS({ wasmBinary: readFileSync(require.resolve("@babylonjs/core/assets/Basis/basis_transcoder.wasm")) });
    m.initializeBasis();
    return m;
  })();
  return basis;
}

export interface DecodedKtx2 { width: number; height: number; levels: number; rgba: Uint8Array }

/** Level `level` (0 = base) as RGBA8, top row first. */
export async function decodeKtx2(bytes: Uint8Array, level = 0): Promise<DecodedKtx2> {
  const m = await transcoder();
  const file = new m.KTX2File(bytes);
  try {
    if (!file.isValid() || !file.startTranscoding()) throw new Error("decodeKtx2: not a Basis Universal KTX2 file");
    const { origWidth, origHeight } = file.getImageLevelInfo(level, 0, 0);
    const rgba = new Uint8Array(file.getImageTranscodedSizeInBytes(level, 0, 0, RGBA32));
    if (!file.transcodeImage(rgba, level, 0, 0, RGBA32, 0, -1, -1)) throw new Error(`decodeKtx2: level ${level} did not transcode`);
    return { width: origWidth, height: origHeight, levels: file.getLevels(), rgba };
  } finally {
    file.close();
    file.delete();
  }
}
