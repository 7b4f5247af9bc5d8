/**
 * No import cycles in the project's own code (issue 11): a module that imports, directly or not,
 * something that imports it back has no place of its own in the layering, and is how the estimator
 * registry and its built-ins were once tied together. Type-only imports count: a cycle through
 * types is still two modules that cannot be understood one before the other.
 * Checked with dpdm (MIT), which parses each file with the TypeScript compiler and follows
 * relative imports.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import dpdm from "dpdm";
import { describe, expect, it } from "vitest";

/** The folders whose TypeScript must form no cycle, relative to the repository root. */
const ROOTS = ["src", "materials", "eval", "bench", "plugin/src", "scripts"];

/** Every cycle among the files matched by `globs` (paths relative to `cwd`), as "a -> b -> a" lines. */
async function cycles(cwd: string, globs: string[]): Promise<{ files: string[]; cycles: string[] }> {
  const tree = await dpdm.parseDependencyTree(globs, { cwd, context: cwd, transform: false, skipDynamicImports: false });
  const files = Object.keys(tree).filter((f) => !f.includes("node_modules"));
  return { files, cycles: dpdm.parseCircular(tree).map((c) => [...c, c[0]].join(" -> ")) };
}

describe("import cycles", () => {
  it("finds a cycle through a type-only import in a hand-made pair of files", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "porelight-cycles-"));
    try {
      await writeFile(path.join(dir, "a.ts"), 'import type { B } from "./b.ts";\nexport interface A { b?: B }\n');
      await writeFile(path.join(dir, "b.ts"), 'import { c } from "./c.ts";\nexport interface B { n: number }\nexport const b = c;\n');
      await writeFile(path.join(dir, "c.ts"), 'import type { A } from "./a.ts";\nexport const c: A = {};\n');
      await writeFile(path.join(dir, "d.ts"), 'import { b } from "./b.ts";\nexport const d = b;\n');
      const found = await cycles(dir, ["*.ts"]);
      expect(found.files.sort()).toEqual(["a.ts", "b.ts", "c.ts", "d.ts"]);
      expect(found.cycles).toHaveLength(1);
      expect(found.cycles[0].split(" -> ").slice(0, 3).sort()).toEqual(["a.ts", "b.ts", "c.ts"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it(`has none across ${ROOTS.join(", ")}`, async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const found = await cycles(root, ROOTS.map((r) => `${r}/**/*.ts`));
    // A glob that matched nothing would pass vacuously: every folder must have been read, and the
    // registry's edges followed.
    for (const r of ROOTS) expect(found.files.some((f) => f.startsWith(`${r}/`)), `no file read under ${r}/`).toBe(true);
    expect(found.files).toContain("src/estimators/builtin.ts");
    expect(found.cycles, `import cycles:\n${found.cycles.join("\n")}`).toEqual([]);
  });
});
