/**
 * A KTX2 decoder for Babylon.js that runs Binomial's Basis Universal transcoder as `@babylonjs/core`
 * ships it (assets/Basis/basis_transcoder.{js,wasm}, Apache-2.0), served with the page: Babylon's
 * own KTX2 decoder (babylon.ktx2Decoder.js) is on its CDN only, not on npm, and we never load from a
 * CDN. Babylon's KhronosTextureContainer2 accepts any module with its decoder's shape; this one
 * transcodes on the page's thread (no worker pool), which for a head's five textures is a fraction of
 * a second at load.
 *
 *   useBasisKtx2Decoder(new URL("./decoders/basis_transcoder.js", location.href).href);
 *   await SceneLoader.ImportMeshAsync("", url, "head.desktop.glb", scene); // KHR_texture_basisu
 *
 * Target formats, best first, from what the GPU offers: ASTC 4×4 or BC7 (both hold UASTC's quality),
 * for ETC1S also ETC2/ETC1 and BC1/BC3, else uncompressed RGBA8. sRGB textures keep a UNORM format
 * with isInGammaSpace, as Babylon's own decoder does (its shaders linearise).
 */
import { KhronosTextureContainer2 } from "@babylonjs/core/Misc/khronosTextureContainer2.js";
import { Tools } from "@babylonjs/core/Misc/tools.js";

/** Binomial's transcoder target formats (basisu_transcoder.h, transcoder_texture_format). */
const TF = { ETC1_RGB: 0, ETC2_RGBA: 1, BC1_RGB: 2, BC3_RGBA: 3, BC7_RGBA: 6, ASTC_4x4_RGBA: 10, RGBA32: 13 } as const;
/** WebGL internal formats for the same (WEBGL_compressed_texture_* extensions; RGBA8 core). */
const GL = { ETC1_RGB: 0x8d64, ETC2_RGB: 0x9274, ETC2_RGBA: 0x9278, BC1_RGB: 0x83f0, BC3_RGBA: 0x83f3, BC7_RGBA: 0x8e8c, ASTC_4x4_RGBA: 0x93b0, RGBA8: 0x8058 } as const;
/** KTX2 data format descriptor: the sRGB transfer function. */
const KHR_DF_TRANSFER_SRGB = 2;

interface Choice { transcoder: number; gl: number; name: string }

/** What Babylon's engine reports (engine.getCaps(): extension objects or null). */
interface Caps { astc?: unknown; bptc?: unknown; s3tc?: unknown; etc2?: unknown; etc1?: unknown }

/** The transcode target for a texture, from the GPU's compressed formats (exported for the test). */
export function chooseTranscodeTarget(caps: Caps, uastc: boolean, hasAlpha: boolean): Choice {
  if (caps.astc) return { transcoder: TF.ASTC_4x4_RGBA, gl: GL.ASTC_4x4_RGBA, name: "ASTC 4x4" };
  if (caps.bptc) return { transcoder: TF.BC7_RGBA, gl: GL.BC7_RGBA, name: "BC7" };
  // UASTC to BC1/BC3 or ETC costs quality (and BC1/BC3 re-encoding is slow): uncompressed instead.
  if (!uastc && caps.etc2) return hasAlpha ? { transcoder: TF.ETC2_RGBA, gl: GL.ETC2_RGBA, name: "ETC2 RGBA" } : { transcoder: TF.ETC1_RGB, gl: GL.ETC2_RGB, name: "ETC1" };
  if (!uastc && caps.s3tc) return hasAlpha ? { transcoder: TF.BC3_RGBA, gl: GL.BC3_RGBA, name: "BC3" } : { transcoder: TF.BC1_RGB, gl: GL.BC1_RGB, name: "BC1" };
  if (!uastc && !hasAlpha && caps.etc1) return { transcoder: TF.ETC1_RGB, gl: GL.ETC1_RGB, name: "ETC1" };
  return { transcoder: TF.RGBA32, gl: GL.RGBA8, name: "RGBA8" };
}

/** The parts of the transcoder's embind API this decoder calls. */
interface BasisModule {
  initializeBasis(): void;
  KTX2File: new (data: Uint8Array) => Ktx2File;
}
interface Ktx2File {
  isValid(): boolean;
  getWidth(): number;
  getHeight(): number;
  getLevels(): number;
  getHasAlpha(): boolean;
  isUASTC(): boolean;
  getDFDTransferFunc(): number;
  startTranscoding(): boolean;
  getImageLevelInfo(level: number, layer: number, face: number): { origWidth: number; origHeight: number };
  getImageTranscodedSizeInBytes(level: number, layer: number, face: number, format: number): number;
  transcodeImage(dst: Uint8Array, level: number, layer: number, face: number, format: number, getAlphaForOpaqueFormats: number, channel0: number, channel1: number): number;
  close(): void;
  delete(): void;
}

declare const BASIS: (options: { wasmBinary: ArrayBuffer }) => Promise<BasisModule>;

/** Loads the transcoder's script (which defines the global BASIS) and its wasm beside it, once. */
function loadTranscoder(scriptUrl: string): () => Promise<BasisModule> {
  let module: Promise<BasisModule> | undefined;
  return () => {
    module ??= (async () => {
      const wasmUrl = scriptUrl.replace(/\.js(\?.*)?$/, ".wasm");
      const [wasm] = await Promise.all([fetch(wasmUrl).then((r) => {
        if (!r.ok) throw new Error(`KTX2 decoder: ${wasmUrl} answered ${r.status}`);
        return r.arrayBuffer();
      }), Tools.LoadScriptAsync(scriptUrl)]);
      const m = await BASIS({ wasmBinary: wasm });
      m.initializeBasis();
      return m;
    })();
    return module;
  };
}

function transcode(basis: BasisModule, data: Uint8Array, caps: Caps) {
  const file = new basis.KTX2File(data);
  try {
    if (!file.isValid() || !file.startTranscoding()) throw new Error("KTX2 decoder: not a Basis Universal KTX2 file");
    const hasAlpha = file.getHasAlpha();
    const choice = chooseTranscodeTarget(caps, file.isUASTC(), hasAlpha);
    const mipmaps = [];
    for (let level = 0; level < file.getLevels(); level++) {
      const { origWidth, origHeight } = file.getImageLevelInfo(level, 0, 0);
      const dst = new Uint8Array(file.getImageTranscodedSizeInBytes(level, 0, 0, choice.transcoder));
      if (!file.transcodeImage(dst, level, 0, 0, choice.transcoder, 0, -1, -1)) throw new Error(`KTX2 decoder: level ${level} did not transcode to ${choice.name}`);
      mipmaps.push({ data: dst, width: origWidth, height: origHeight, layerIndex: 0 });
    }
    return {
      width: file.getWidth(),
      height: file.getHeight(),
      transcodedFormat: choice.gl,
      mipmaps,
      layerCount: 1,
      isInGammaSpace: file.getDFDTransferFunc() === KHR_DF_TRANSFER_SRGB,
      hasAlpha,
      transcoderName: `Basis Universal (@babylonjs/core assets) → ${choice.name}`,
    };
  } finally {
    file.close();
    file.delete();
  }
}

/**
 * Makes Babylon's KTX2 loader (KHR_texture_basisu in glTF, .ktx2 textures) use the transcoder at
 * `scriptUrl` (its .wasm beside it). Call before the first KTX2 texture loads.
 */
export function useBasisKtx2Decoder(scriptUrl: string): void {
  const basis = loadTranscoder(scriptUrl);
  class KTX2Decoder {
    /** Babylon assigns its options here; the choice above does not need them. */
    static DefaultDecoderOptions: unknown = {};
    async decode(data: Uint8Array, caps: Caps) {
      return transcode(await basis(), data, caps);
    }
  }
  // KhronosTextureContainer2 takes the module from the global KTX2DECODER when it has no worker pool.
  (globalThis as { KTX2DECODER?: unknown }).KTX2DECODER = { KTX2Decoder, MSCTranscoder: {}, WASMMemoryManager: {} };
  KhronosTextureContainer2.DefaultNumWorkers = 0;
}
