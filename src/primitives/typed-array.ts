/**
 * Typed arrays built element by element, for per-texel and per-vertex maps.
 *
 * `Float32Array.from(source, fn)` and `Float32Array.from({ length }, fn)` go through V8's generic
 * iterator path: an iterator result and a boxed number per element. Over a base-size map
 * (384 × 576 ≈ 2·10⁵ texels) that is ≈ 20× slower than a loop and ≈ 10 MB of short-lived
 * garbage per call, and a draft job made well over a hundred such calls (the young generation was
 * collected ≈ 550 times, measured with --trace-gc, 2026-12-07). These loops store the same values:
 * `fn`'s result converted by the array's own element store, as `from` does.
 */

/** `Float32Array.from(source, fn)` without the iterator. */
export function mapF32(source: ArrayLike<number>, fn: (value: number, index: number) => number): Float32Array {
  const out = new Float32Array(source.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(source[i], i);
  return out;
}

/** `Float64Array.from(source, fn)` without the iterator. */
export function mapF64(source: ArrayLike<number>, fn: (value: number, index: number) => number): Float64Array {
  const out = new Float64Array(source.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(source[i], i);
  return out;
}

/** `Uint8Array.from(source, fn)` without the iterator (values wrap modulo 256 as there). */
export function mapU8(source: ArrayLike<number>, fn: (value: number, index: number) => number): Uint8Array {
  const out = new Uint8Array(source.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(source[i], i);
  return out;
}

/** `Float32Array.from({ length }, (_, i) => fn(i))` without the iterator. */
export function f32Of(length: number, fn: (index: number) => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = fn(i);
  return out;
}

/** `Float64Array.from({ length }, (_, i) => fn(i))` without the iterator. */
export function f64Of(length: number, fn: (index: number) => number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = fn(i);
  return out;
}

/** `Uint8Array.from({ length }, (_, i) => fn(i))` without the iterator. */
export function u8Of(length: number, fn: (index: number) => number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = fn(i);
  return out;
}
