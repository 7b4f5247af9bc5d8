/**
 * Loads TF.js GRAPH models (the face models we convert) from disk, for parity tests and the
 * benchmark only. Backend setup and the fs IO handler are shared with the layers-model helper.
 */
import { fileHandler, initTfjs, tf } from "./tfjs-layers.ts";

export { initTfjs, tf };

/** Loads a TF.js graph model from its model.json path. */
export function loadTfjsGraphModel(modelJsonPath: string): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileHandler(modelJsonPath));
}
