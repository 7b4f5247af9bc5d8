// The pipeline's plain-JavaScript dependencies, loaded before tsx registers its hooks: every module
// loaded after register() passes through the hooks, and for Babylon.js's ≈ 2,000 files that costs
// ≈ 5 CPU s per fresh process, a seventh of a draft job (docs/benchmarks.md). The TypeScript
// modules that import them later get these same instances. Used by the CLI (bin/porelight.js) and
// the daemon's and queue workers' pipeline process (bin/pipeline-worker.js).
export const PIPELINE_PACKAGES = ["@babylonjs/core", "@gltf-transform/core", "@gltf-transform/extensions", "@gltf-transform/functions"];

export async function preloadPipelinePackages() {
  for (const name of PIPELINE_PACKAGES) await import(name);
}
