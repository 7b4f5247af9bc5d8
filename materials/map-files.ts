/**
 * Names of a job's map files, relative to the job's output directory (docs/design.md §5). The package
 * stage writes them, `head.babylon` references them, the scenes and the plugin read them.
 */
export const SKIN_MAP_FILES = {
  /** A_D, diffuse albedo, sRGB, 8-bit RGB. */
  albedoDiffuse: "maps/albedo_diffuse.png",
  /** A_S, specular albedo, linear, 1 channel (F0 mapping in skin-parameters.ts). */
  albedoSpecular: "maps/albedo_specular.png",
  /** N_D, diffuse normals, tangent space (glTF/MikkTSpace), 16-bit RGB. */
  normalsDiffuse: "maps/normals_diffuse.png",
  /** N_S, specular normals, tangent space, 16-bit RGB. */
  normalsSpecular: "maps/normals_specular.png",
  /** Thin-part mask for diffuse transmission (ears), linear, alpha = 1 where thin, RGBA 8-bit. */
  thinMask: "maps/thin_mask.png",
  /** T, the photo texture in UV (before de-lighting), sRGB: the "before" of before/after. */
  photoTexture: "maps/texture.png",
  /** Eye albedo, sRGB (optional). */
  eyes: "maps/eyes.png",
  /**
   * The smile's wrinkle map (optional): tangent-space detail normals, 16-bit RGB, flat (0, 0, 1)
   * where the smile folds nothing; blended onto N_S by the weights of WRINKLE_DRIVERS.
   */
  wrinkleSmile: "maps/normals_wrinkle_smile.png",
} as const;

/** The blendshapes whose weights bring the smile's wrinkle map back (the shapes that fold the skin it was taken from: fit/expression-folds.ts). */
export const WRINKLE_DRIVERS = { wrinkleSmile: ["mouthSmileLeft", "mouthSmileRight", "mouthDimpleLeft", "mouthDimpleRight", "cheekSquintLeft", "cheekSquintRight"] } as const;

export type SkinMapKey = keyof typeof SKIN_MAP_FILES;

/** The other outputs of a job that the Babylon side reads. */
export const HEAD_FILES = { glb: "head.glb", babylon: "head.babylon", material: "material.json" } as const;

/** PNG bytes of the maps, as the pipeline writes them under maps/ (and the GLB embeds them). */
export interface HeadMapsPng {
  /** A_D, sRGB RGB. */
  albedoDiffuse: Uint8Array;
  /** A_S, linear, 1 channel (8 or 16 bit). */
  albedoSpecular: Uint8Array;
  /** N_D, tangent space, 16-bit RGB. */
  normalsDiffuse: Uint8Array;
  /** N_S, tangent space, 16-bit RGB. */
  normalsSpecular: Uint8Array;
  /** Optional thin-part mask, alpha = 1 where thin (ears): enables diffuse transmission. */
  thinMask?: Uint8Array;
  /** Optional eye albedo, sRGB. */
  eyes?: Uint8Array;
  /** Optional smile wrinkle map, tangent space, 16-bit RGB. */
  wrinkleSmile?: Uint8Array;
}
