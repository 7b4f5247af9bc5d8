/**
 * Output file names come from the pipeline (and, in URLs, from clients): they are only ever used
 * as relative paths under a job's output directory, so they must not be able to leave it.
 */

/** One path segment: starts with a letter or digit (so never "." or ".." or hidden), then [A-Za-z0-9._-]. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_DEPTH = 4;

/**
 * Why `name` is not a safe relative output path, or null when it is. Safe: forward slashes, at
 * most 4 segments, each starting with a letter or digit; no "..", no absolute path, no
 * backslash, no NUL, no empty segment.
 */
export function outputNameProblem(name: unknown): string | null {
  if (typeof name !== "string" || name.length === 0) return "an output name must be a non-empty string";
  if (name.length > 255) return "an output name must be at most 255 characters";
  if (name.startsWith("/") || /^[A-Za-z]:/.test(name)) return `"${name}" is an absolute path`;
  if (name.includes("\\")) return `"${name}" contains a backslash`;
  const segments = name.split("/");
  if (segments.length > MAX_DEPTH) return `"${name}" is nested more than ${MAX_DEPTH} levels deep`;
  for (const segment of segments) {
    if (segment === "..") return `"${name}" climbs out of the output directory`;
    if (!SEGMENT.test(segment)) return `"${name}" has a segment "${segment}" that is empty, hidden or uses characters other than A-Z a-z 0-9 . _ -`;
  }
  return null;
}

/** Throws when `name` is not a safe relative output path (see `outputNameProblem`). */
export function assertOutputName(name: unknown): asserts name is string {
  const problem = outputNameProblem(name);
  if (problem) {
    const err = new Error(`invalid output file name: ${problem}`) as Error & { code: string };
    err.code = "invalid_output_name";
    throw err;
  }
}
