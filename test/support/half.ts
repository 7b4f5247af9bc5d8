/** float → IEEE half bits (round to nearest; enough for writing test weights). */
export function halfFromFloat(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24); // subnormal
  const exp = Math.floor(Math.log2(a));
  const mant = Math.round((a / 2 ** exp - 1) * 1024);
  // A mantissa that rounds up to 1024 carries into the exponent, which addition handles.
  return sign | (((exp + 15) << 10) + mant);
}
