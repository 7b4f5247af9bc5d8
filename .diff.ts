import sharp from "sharp";
import { decodeImage } from "./src/image/decode.ts";
import { capture } from "./src/pipeline/capture.ts";
const [file, out] = process.argv.slice(2);
const image = (await decodeImage(file)).image;
const r = await capture({ image });
const { width: W, height: H } = image;
const rgb = Buffer.alloc(W * H * 3);
for (let i = 0; i < W * H; i++) {
  const fh = r.masks.facialHair!.data[i], oc = r.masks.occluder.data[i];
  for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(image.data[i * 3 + c] * 255);
  if (fh > 0.3) { rgb[i * 3] = 0; rgb[i * 3 + 1] = 255; rgb[i * 3 + 2] = 0; }
  else if (oc > 0.3 && r.masks.skin.data[i] < 0.5) { rgb[i * 3] = Math.min(255, rgb[i*3] + 120); }
}
await sharp(rgb, { raw: { width: W, height: H, channels: 3 } }).png().toFile(out);
process.exit(0);
