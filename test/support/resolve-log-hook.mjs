// A module-resolution hook (module.register) that writes each URL a process resolves to stderr,
// once per importing module, as "resolved: <url> <parent url> <specifier>": tests see which modules a process loads
// (test/cli-preload.test.ts, test/template-head-cache.test.ts).
const reported = new Set();

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const key = `${resolved.url} ${context.parentURL}`;
  if (!reported.has(key)) {
    reported.add(key);
    process.stderr.write(`resolved: ${resolved.url} ${context.parentURL ?? "-"} ${specifier}\n`);
  }
  return resolved;
}
