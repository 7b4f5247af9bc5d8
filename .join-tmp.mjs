// joins PNGs side by side: node /tmp/skin3-join.mjs out.png a.png b.png ...
import sharp from "sharp";
const [out, ...files] = process.argv.slice(2);
const metas = await Promise.all(files.map((f) => sharp(f).metadata()));
const W = metas.reduce((s, m) => s + m.width, 0), H = Math.max(...metas.map((m) => m.height));
let x = 0; const comps = [];
for (let i = 0; i < files.length; i++) { comps.push({ input: files[i], left: x, top: 0 }); x += metas[i].width; }
await sharp({ create: { width: W, height: H, channels: 3, background: "#000" } }).composite(comps).png().toFile(out);
