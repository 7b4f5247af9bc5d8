import sharp from "sharp";
const [src, out, left, width] = process.argv.slice(2);
const meta = await sharp(src).metadata();
await sharp(src).extract({ left: Number(left), top: 0, width: Math.min(Number(width), meta.width! - Number(left)), height: meta.height! }).png().toFile(out);
console.log(meta.width, meta.height);
