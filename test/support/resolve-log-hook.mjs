// A module-resolution hook (module.register) that writes each URL a process resolves to stderr
// once, as "resolved: <url> <parent url>": tests see which modules a process loads
// (test/cli-preload.test.ts, test/template-head-cache.test.ts).
const reported = new Set();

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (!reported.has(resolved.url)) {
    reported.add(resolved.url);
    process.stderr.write(`resolved: ${resolved.url} ${context.parentURL ?? "-"}\n`);
  }
  return resolved;
}
