// crop + enlarge: node .crop-tmp.mjs in.png out.png left top width height scale
import sharp from "sharp";
const [i, o, l, t, w, h, s] = process.argv.slice(2);
await sharp(i).extract({ left: +l, top: +t, width: +w, height: +h }).resize(Math.round(+w * +s), Math.round(+h * +s), { kernel: "nearest" }).png().toFile(o);
