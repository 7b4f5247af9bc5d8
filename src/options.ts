/**
 * Merging a caller's options over a function's `Required<>` defaults. It lives outside
 * src/pipeline/ because src/image, src/geometry, src/render and materials/ merge options the same
 * way and must not import the pipeline.
 */

/**
 * The caller's options over the defaults. Unlike `{ ...defaults, ...options }`, a field set to
 * `undefined` keeps its default instead of erasing it.
 *
 *   const o = withDefaults(UNWRAP_DEFAULTS, options);
 */
export function withDefaults<T extends object>(defaults: Required<T>, options: Partial<T> | undefined): Required<T> {
  const merged = { ...defaults };
  if (options) {
    for (const key of Object.keys(options) as (keyof T)[]) {
      const value = options[key];
      if (value !== undefined) merged[key] = value as Required<T>[keyof T];
    }
  }
  return merged;
}
