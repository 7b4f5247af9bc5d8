/**
 * Bilinear resampling of float images through ONNX Runtime (multithreaded, no JS loop over the
 * texels): base-size geometry and shading maps → the full map size of the per-texel estimators.
 * Texel centres are aligned (half-pixel convention); edges clamp.
 */
import { OnnxGraphBuilder } from "../models/onnx-graph.ts";
import { getSessionFromBytes, ort } from "../models/session.ts";
import type { ImageF32 } from "../types.ts";

/** Graph: `image` NHWC [1, h, w, c] and `size` int64 [2] = (H, W) → `resized` NHWC [1, H, W, c]. */
export function buildResizeOnnx(): Uint8Array {
  const g = new OnnxGraphBuilder("porelight_resize_linear");
  g.addInput({ name: "image", type: "float32", shape: [1, "h", "w", "c"] });
  g.addInput({ name: "size", type: "int64", shape: [2] });
  const one = g.constInt64("one", [1]);
  const channels = g.op("Slice", [g.op("Shape", ["image"]), g.constInt64("s", [3]), g.constInt64("e", [4])]);
  const sizes = g.op("Concat", [one, "size", channels], { axis: 0 });
  g.addNode("Resize", ["image", "", "", sizes], { mode: "linear", coordinate_transformation_mode: "half_pixel" }, ["resized"]);
  g.addOutput({ name: "resized", type: "float32", shape: [1, "H", "W", "c"] });
  return g.encode("porelight bilinear resize (half-pixel centres), NHWC");
}

/**
 * Resamples `image` to width × height (bilinear, texel centres aligned). Returns the input itself
 * when the size already matches.
 */
export async function resizeImage(image: ImageF32, width: number, height: number): Promise<ImageF32> {
  if (image.width === width && image.height === height) return image;
  if (!(width > 0 && height > 0)) throw new Error(`resizeImage: target size ${width}×${height} is empty`);
  const session = await getSessionFromBytes("builtin:resize-linear", buildResizeOnnx);
  const feeds = {
    image: new ort.Tensor("float32", image.data, [1, image.height, image.width, image.channels]),
    size: new ort.Tensor("int64", BigInt64Array.from([BigInt(height), BigInt(width)]), [2]),
  };
  const out = (await session.run(feeds)).resized;
  return { width, height, channels: image.channels, data: out.data as Float32Array, colorSpace: image.colorSpace };
}
