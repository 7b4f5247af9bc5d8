// The pipeline's plain-JavaScript dependencies, loaded before tsx registers its hooks: every module
// loaded after register() passes through the hooks, and for Babylon.js's ≈ 2,000 files that costs
// ≈ 5 CPU s per fresh process, a seventh of a draft job (docs/benchmarks.md). The TypeScript
// modules that import them later get these same instances. Used by the CLI (bin/porelight.js) and
// the daemon's and queue workers' pipeline process (bin/pipeline-worker.js).
// Babylon.js by the modules the .babylon writer and the skin material import (materials/), not its
// index: the index loads all ≈ 2,000 of its files (≈ 1.5 CPU s on a quiet core), these ≈ 0.2 s.
// test/cli-preload.test.ts checks that the pipeline imports nothing of these packages beyond this list.
export const PIPELINE_PACKAGES = [
  "@babylonjs/core/Engines/constants.js",
  "@babylonjs/core/Engines/nullEngine.js",
  "@babylonjs/core/Engines/shaderStore.js",
  "@babylonjs/core/Materials/material.js",
  "@babylonjs/core/Materials/materialPluginBase.js",
  "@babylonjs/core/Materials/PBR/pbrMaterial.js",
  "@babylonjs/core/Materials/shaderLanguage.js",
  "@babylonjs/core/Materials/Textures/texture.js",
  "@babylonjs/core/Maths/math.color.js",
  "@babylonjs/core/Maths/math.vector.js",
  "@babylonjs/core/Meshes/mesh.js",
  "@babylonjs/core/Meshes/mesh.vertexData.js",
  "@babylonjs/core/Meshes/transformNode.js",
  "@babylonjs/core/Misc/sceneSerializer.js",
  "@babylonjs/core/Misc/typeStore.js",
  "@babylonjs/core/Shaders/subSurfaceScattering.fragment.js",
  "@babylonjs/core/scene.js",
  "@gltf-transform/core",
  "@gltf-transform/extensions",
  "@gltf-transform/functions",
];

// The CLI commands that run the pipeline in their own process. The others (serve, worker, queue,
// models, …) never import these packages (the daemon and the workers fork bin/pipeline-worker.js,
// which preloads them itself), and loading them anyway costs ≈ 1.6–3.7 CPU s per process.
export const PIPELINE_COMMANDS = ["reconstruct", "batch", "demo"];

/** Whether `argv` (the CLI's arguments after the script) runs a pipeline command: its first word, as src/cli/main.ts reads it. */
export function runsPipeline(argv) {
  const word = argv.find((a) => !a.startsWith("-"));
  return word !== undefined && PIPELINE_COMMANDS.includes(word);
}

export async function preloadPipelinePackages() {
  for (const name of PIPELINE_PACKAGES) await import(name);
}
