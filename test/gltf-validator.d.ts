/** Types for the parts of the Khronos glTF validator (npm gltf-validator, no bundled types) the tests use. */
declare module "gltf-validator" {
  export interface ValidationReport {
    issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
    info: Record<string, unknown> & { extensionsUsed?: string[] };
  }
  export function validateBytes(data: Uint8Array, options?: Record<string, unknown>): Promise<ValidationReport>;
  export function version(): string;
}
