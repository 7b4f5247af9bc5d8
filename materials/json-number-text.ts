/**
 * Compact JSON text for the large number arrays of head.babylon, written straight into bytes.
 *
 * - float32 data (vertex positions, normals, tangents, UVs) as the shortest decimal of at most 9
 *   significant digits that reads back to the same float32: what `JSON.stringify` writes for a
 *   float32 widened to a double has up to 17 digits, and the loader turns every array into a
 *   Float32Array anyway, so the GPU gets the same bits from half the text;
 * - fixed-point values k·10⁻ᵉ (morph target positions in steps of 10 µm) as the shortest exact
 *   decimal ("0.12345" rather than "12345e-5"): the same number, so the same double on load.
 *
 * Both are exact by construction: a candidate is kept only if dividing its integer by a power of
 * ten (one correctly rounded IEEE operation, as a JSON parser's conversion is) gives the value back.
 *
 *   const out = new AsciiJsonWriter();
 *   out.float32Array(positions); // "[0.0854321,-0.1,...]"
 *   const text = out.text();
 */

/** Powers of ten exact in a double (10²² is the largest). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, OPEN = 91, CLOSE = 93;

/** Grows as needed; holds ASCII digits and whatever UTF-8 text is appended. */
export class AsciiJsonWriter {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;
  private readonly digits = new Uint8Array(24);
  private readonly encoder = new TextEncoder();

  /** Appends a string as UTF-8. */
  raw(s: string): void {
    this.reserve(s.length * 3);
    this.length += this.encoder.encodeInto(s, this.bytes.subarray(this.length)).written;
  }

  /** Appends `[v0,v1,…]`, each a float32 in its shortest round-trip form (see the file header). */
  float32Array(values: ArrayLike<number>): void {
    this.reserve(values.length * 16 + 2);
    this.bytes[this.length++] = OPEN;
    for (let i = 0; i < values.length; i++) {
      if (i) this.bytes[this.length++] = COMMA;
      this.float32(values[i]);
    }
    this.bytes[this.length++] = CLOSE;
  }

  /** Appends `[k0·10⁻ᵉ,…]` for integers k (|k| < 2⁵³), each in its shortest exact decimal form. */
  fixedPointArray(integers: ArrayLike<number>, exponent: number): void {
    this.reserve(integers.length * (exponent + 20) + 2);
    this.bytes[this.length++] = OPEN;
    for (let i = 0; i < integers.length; i++) {
      if (i) this.bytes[this.length++] = COMMA;
      this.fixedPoint(integers[i], exponent);
    }
    this.bytes[this.length++] = CLOSE;
  }

  /** Appends `[i0,i1,…]` of integers. */
  integerArray(values: ArrayLike<number>): void {
    this.reserve(values.length * 20 + 2);
    this.bytes[this.length++] = OPEN;
    for (let i = 0; i < values.length; i++) {
      if (i) this.bytes[this.length++] = COMMA;
      this.fixedPoint(values[i], 0);
    }
    this.bytes[this.length++] = CLOSE;
  }

  /** The text written so far. */
  text(): string {
    return new TextDecoder().decode(this.bytes.subarray(0, this.length));
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  private float32(v: number): void {
    const f = Math.fround(v);
    if (!Number.isFinite(f)) throw new Error(`head.babylon: non-finite vertex value ${v}`);
    const a = Math.abs(f);
    if (a === 0) { // −0 written as such (JSON.stringify drops its sign), so the loaded bits match
      if (Object.is(f, -0)) this.bytes[this.length++] = MINUS;
      this.bytes[this.length++] = ZERO;
      return;
    }
    // Digits before the point − 1; the loop below tolerates log10's off-by-one near powers of 10.
    const e = Math.floor(Math.log10(a));
    for (let digits = 1; digits <= 9; digits++) {
      const k = digits - 1 - e;
      if (k < 0) continue; // more digits than these before the point
      if (k > 22) break; // no exact power of ten to divide by: the slow path below
      const m = Math.round(a * POW10[k]);
      if (Math.fround(m / POW10[k]) === a) {
        if (f < 0) this.bytes[this.length++] = MINUS;
        this.fixedPoint(m, k);
        return;
      }
    }
    this.raw(String(Number(f.toPrecision(9))));
  }

  /** k·10⁻ᵉ (integer k, e ≥ 0) as the shorter of plain decimal and exponent form, both exact. */
  private fixedPoint(k: number, e: number): void {
    const b = this.bytes;
    if (k < 0) { b[this.length++] = MINUS; k = -k; }
    if (k === 0) { b[this.length++] = ZERO; return; }
    while (e > 0 && k % 10 === 0) { k /= 10; e--; }
    let n = 0;
    for (let r = k; r > 0; r = Math.floor(r / 10)) this.digits[n++] = ZERO + (r % 10);
    // Plain: n digits with a point (n > e) or "0." and e − n zeros; exponent: n digits + "e-" + e.
    const plain = e === 0 ? n : n > e ? n + 1 : e + 2;
    const exponentForm = n + 2 + (e >= 10 ? 2 : 1);
    if (e > 0 && exponentForm < plain) {
      for (let i = n - 1; i >= 0; i--) b[this.length++] = this.digits[i];
      b[this.length++] = 101; // e
      b[this.length++] = MINUS;
      if (e >= 10) b[this.length++] = ZERO + Math.floor(e / 10);
      b[this.length++] = ZERO + (e % 10);
      return;
    }
    if (e >= n) {
      b[this.length++] = ZERO;
      b[this.length++] = DOT;
      for (let i = 0; i < e - n; i++) b[this.length++] = ZERO;
    }
    for (let i = n - 1; i >= 0; i--) {
      b[this.length++] = this.digits[i];
      if (i === e && i > 0 && e < n) b[this.length++] = DOT;
    }
  }
}
