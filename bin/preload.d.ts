// Types of bin/preload.js for the TypeScript that imports it (test/cli-preload.test.ts).
export declare const PIPELINE_PACKAGES: readonly string[];
export declare const PIPELINE_COMMANDS: readonly string[];
export declare function runsPipeline(argv: readonly string[]): boolean;
export declare function preloadPipelinePackages(): Promise<void>;
