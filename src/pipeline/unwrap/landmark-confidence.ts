/**
 * Spreads the per-landmark confidence of capture over the whole head: each vertex takes the
 * Gaussian-weighted mean confidence of the landmark vertices around it (on the fitted mesh), so a
 * texel near a landmark the face mesh was unsure of (an occluded eye, a cheek turned away) is
 * trusted less. Far from every landmark (scalp, ears) the weights fall back to the nearest ones.
 */

/**
 * Per-vertex confidence 0..1. `landmarkVertices[k]` is the vertex of landmark k (−1 if it has none),
 * `confidence[k]` its confidence; `radiusM` the Gaussian's standard deviation, metres.
 */
export function vertexLandmarkConfidence(
  positions: Float32Array,
  landmarkVertices: Int32Array,
  confidence: Float32Array,
  radiusM: number,
): Float32Array {
  const vertexCount = positions.length / 3;
  const out = new Float32Array(vertexCount).fill(1);
  const anchors: number[] = [];
  for (let k = 0; k < landmarkVertices.length && k < confidence.length; k++) {
    const v = landmarkVertices[k];
    if (v >= 0 && v < vertexCount && Number.isFinite(confidence[k])) anchors.push(k);
  }
  if (anchors.length === 0) return out;
  const ax = new Float64Array(anchors.length);
  const ay = new Float64Array(anchors.length);
  const az = new Float64Array(anchors.length);
  const ac = new Float64Array(anchors.length);
  anchors.forEach((k, i) => {
    const v = landmarkVertices[k];
    ax[i] = positions[3 * v];
    ay[i] = positions[3 * v + 1];
    az[i] = positions[3 * v + 2];
    ac[i] = Math.min(1, Math.max(0, confidence[k]));
  });
  const inv2s2 = 1 / (2 * radiusM * radiusM);
  // Weights below e^−12 of the nearest anchor's change nothing at float precision: skip their exp.
  const cutoff = 12 / inv2s2;
  const d2s = new Float64Array(ax.length);
  for (let v = 0; v < vertexCount; v++) {
    const x = positions[3 * v], y = positions[3 * v + 1], z = positions[3 * v + 2];
    // Weights relative to the nearest anchor, so far vertices do not underflow to 0/0.
    let nearest = Infinity;
    for (let i = 0; i < ax.length; i++) {
      const d2 = (x - ax[i]) ** 2 + (y - ay[i]) ** 2 + (z - az[i]) ** 2;
      d2s[i] = d2;
      if (d2 < nearest) nearest = d2;
    }
    let sw = 0;
    let swc = 0;
    for (let i = 0; i < ax.length; i++) {
      const excess = d2s[i] - nearest;
      if (excess > cutoff) continue;
      const w = Math.exp(-excess * inv2s2);
      sw += w;
      swc += w * ac[i];
    }
    out[v] = swc / sw;
  }
  return out;
}
