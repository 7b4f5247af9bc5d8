/**
 * The foreshortening cue's likelihood of the camera's distance, corrected for how much of the
 * photo's perspective the face mesh's landmarks show (docs/design.md, "Camera model").
 *
 * A camera at distance D magnifies a point δz nearer by 1 + δz / D, so perspective is first order
 * in u = 1 / D (per metre), whatever the lens and framing. The landmark network shows much less of
 * it than the photo has (it regresses toward a mean face), and a turned face's landmarks read nearer
 * than they are, the more so the more it is turned. Measured on our own renders at known focal
 * lengths (eval/focal-calibration.ts; docs/evaluation.md, "The foreshortening cue calibrated on
 * renders"), the shown inverse distance is
 *   u_shown = offset + turnOffset · sin²θ + gain · u_true + ε,  ε ~ N(0, sd²),
 * θ the angle between the face's forward axis and the ray to it (sin²θ: the lowest order alike for
 * either side, and the best of sin², sin³, sin⁴ and sin⁶ on the renders). The landmarks' own profile
 * likelihood over the shown u (the template posed at each focal length) is marginalised over ε, so
 * the cue is as wide as the network's face-to-face error and no narrower than its misfit says.
 */

/** The network's perspective response (see the file comment). */
export interface PerspectiveResponse {
  /** Share of a change of the true perspective that the landmarks show. */
  gain: number;
  /** Perspective a frontal face's landmarks show when there is none (a far camera), per metre. */
  offsetPerM: number;
  /** What a face turned from the ray adds to it, per metre at sin²θ = 1. */
  turnOffsetPerM: number;
  /** SD of the shown perspective about that line, face to face, per metre. */
  sdPerM: number;
}

/** The inverse distance the landmarks show on average, per metre, for a true one on a face turned by θ from the ray (sin²θ given). */
export function shownPerspective(r: PerspectiveResponse, truePerM: number, sinTurnSquared: number): number {
  return r.offsetPerM + r.turnOffsetPerM * sinTurnSquared + r.gain * truePerM;
}

/**
 * The log-likelihood of a true inverse distance, from the landmarks' profile log-likelihood at
 * posed inverse distances (`shownPerM`, any order, one with u ≈ 0 for the far limit):
 *   log ∫ L(u) N(u; u_shown(u_true, θ), sd²) du   (trapezoid rule over the posed u).
 *
 *   const at = perspectiveLikelihood(us, logLiks, response);
 *   at(1 / 0.8, sinTurnSquared);   // a camera 0.8 m from the face
 */
export function perspectiveLikelihood(shownPerM: ArrayLike<number>, logLikelihood: ArrayLike<number>, r: PerspectiveResponse): (truePerM: number, sinTurnSquared: number) => number {
  if (shownPerM.length !== logLikelihood.length || shownPerM.length < 2) throw new Error("perspectiveLikelihood: one log-likelihood per posed distance, at least two");
  if (!(r.sdPerM > 0)) throw new Error(`perspectiveLikelihood: sdPerM must be > 0; got ${r.sdPerM}`);
  const order = Array.from({ length: shownPerM.length }, (_, i) => i).sort((a, b) => shownPerM[a] - shownPerM[b]);
  const u = order.map((i) => shownPerM[i]);
  const top = Math.max(...order.map((i) => logLikelihood[i]));
  const mass = order.map((i, k) => {
    const width = ((k > 0 ? u[k] - u[k - 1] : 0) + (k < u.length - 1 ? u[k + 1] - u[k] : 0)) / 2;
    return width * Math.exp(logLikelihood[i] - top);
  });
  return (truePerM, sinTurnSquared) => {
    const mean = shownPerspective(r, truePerM, sinTurnSquared);
    const sd = r.sdPerM;
    let s = 0;
    for (let k = 0; k < u.length; k++) s += mass[k] * Math.exp(-(((u[k] - mean) / sd) ** 2) / 2);
    return top + Math.log(Math.max(s / sd, 1e-300));
  };
}
