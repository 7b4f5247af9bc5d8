/** A 15 × 15 grid of "landmarks" over a 12 cm face at z = a gentle dome, metres (xyz per point). */
export function landmarkGrid(): Float64Array {
  const c: number[] = [];
  for (let i = 0; i < 15; i++) for (let j = 0; j < 15; j++) {
    const x = -0.06 + (0.12 * i) / 14, y = -0.06 + (0.12 * j) / 14;
    c.push(x, y, -4 * (x * x + y * y));
  }
  return Float64Array.from(c);
}

/** Deterministic standard normals (Box–Muller on a small LCG). */
export function seededNormals(n: number, seed = 7): Float64Array {
  let s = seed;
  const u = () => ((s = (1103515245 * s + 12345) % 2147483648) + 1) / 2147483649;
  return Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
}
