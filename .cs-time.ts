import { readFile } from "node:fs/promises";
import v8 from "node:v8";
import { lightVisibility } from "./src/pipeline/delight/light-visibility.ts";
import { fitSkinLighting } from "./src/pipeline/delight/shading.ts";
import { DELIGHT_DEFAULTS } from "./src/pipeline/delight.ts";
import { delightInputOf, type CachedStages } from "./eval/tone-consistency.ts";
const cached = v8.deserialize(await readFile(process.argv[2])) as CachedStages;
const input = delightInputOf(cached);
const o = { ...DELIGHT_DEFAULTS, shapeFromShading: null };
for (let r = 0; r < 3; r++) {
  let t = performance.now();
  const { fit } = fitSkinLighting(input, o);
  const tf = performance.now() - t;
  t = performance.now();
  lightVisibility(input.occlusionMasks!, input.normalsObject, fit.irradiance);
  console.log(`fit ${tf.toFixed(0)} ms, visibility ${(performance.now() - t).toFixed(0)} ms, ${input.textureBase.width}x${input.textureBase.height}`);
}
