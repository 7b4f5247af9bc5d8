/**
 * Levels of detail of the skin (docs/design.md §5): meshoptimizer's simplifier at two lower
 * triangle budgets, written as `MSFT_lod` on the skin node with `MSFT_screencoverage` hints.
 *
 * - UV seams stay: the simplifier welds by position, so a seam vertex only collapses along its seam.
 * - The eyes' and lips' contours and the neck's edge stay: they are the skin mesh's open borders,
 *   locked (`LockBorder`), so the eyes still fit their sockets and the mouth line does not move.
 * - Deterministic (same mesh ⇒ same indices).
 *
 * The LOD nodes are not in the scene (MSFT_lod): viewers that ignore the extension show LOD 0.
 */
import { Extension, ExtensionProperty, PropertyType, RefList, type IProperty, type Node, type Nullable, type ReaderContext, type WriterContext } from "@gltf-transform/core";
import { compactPart, type HeadPartGeometry } from "./head-geometry.ts";

export const MSFT_LOD = "MSFT_lod";

/** Triangle share of each lower level, and the error bound (relative to the mesh's extent). */
export const SKIN_LOD_LEVELS = [
  { ratio: 0.35, maxError: 0.004 },
  { ratio: 0.1, maxError: 0.02 },
] as const;

/**
 * MSFT_screencoverage of the skin node: LOD i is shown while the head covers at least value[i] of
 * the screen (area); the last value 0 means the head is never culled by LOD.
 */
export const SKIN_LOD_SCREEN_COVERAGE = [0.1, 0.025, 0] as const;

/** The skin at each SKIN_LOD_LEVELS budget, as compact parts (vertices in first-use order). */
export async function simplifySkinLods(skin: HeadPartGeometry): Promise<HeadPartGeometry[]> {
  const { MeshoptSimplifier } = await import("meshoptimizer");
  await MeshoptSimplifier.ready;
  return SKIN_LOD_LEVELS.map(({ ratio, maxError }) => {
    const target = Math.floor((skin.indices.length / 3) * ratio) * 3;
    const [indices] = MeshoptSimplifier.simplify(skin.indices, skin.positions, 3, target, maxError, ["LockBorder"]);
    return compactPart(skin.part, skin, indices);
  });
}

interface ILod extends IProperty {
  lods: RefList<Node>;
}

/** MSFT_lod on a node: its lower levels, highest first. */
export class Lod extends ExtensionProperty<ILod> {
  static override EXTENSION_NAME = MSFT_LOD;
  declare extensionName: typeof MSFT_LOD;
  declare propertyType: "Lod";
  declare parentTypes: [PropertyType.NODE];

  protected init(): void {
    this.extensionName = MSFT_LOD;
    this.propertyType = "Lod";
    this.parentTypes = [PropertyType.NODE];
  }

  protected override getDefaults(): Nullable<ILod> {
    return Object.assign(super.getDefaults(), { lods: new RefList<Node>() });
  }

  addLod(node: Node): this {
    return this.addRef("lods", node);
  }
  listLods(): Node[] {
    return this.listRefs("lods");
  }
}

/** `MSFT_lod` for glTF-Transform (read and write); screen coverage stays in the node's extras. */
export class MSFTLod extends Extension {
  static override readonly EXTENSION_NAME = MSFT_LOD;
  override readonly extensionName = MSFT_LOD;

  createLod(): Lod {
    return new Lod(this.document.getGraph());
  }

  read(context: ReaderContext): this {
    (context.jsonDoc.json.nodes ?? []).forEach((def, i) => {
      const ids = (def.extensions?.[MSFT_LOD] as { ids?: number[] } | undefined)?.ids;
      if (!ids) return;
      const lod = this.createLod();
      for (const id of ids) lod.addLod(context.nodes[id]);
      context.nodes[i].setExtension(MSFT_LOD, lod);
    });
    return this;
  }

  write(context: WriterContext): this {
    const nodes = context.jsonDoc.json.nodes ?? [];
    for (const node of this.document.getRoot().listNodes()) {
      const lod = node.getExtension<Lod>(MSFT_LOD);
      if (!lod) continue;
      const def = nodes[context.nodeIndexMap.get(node)!];
      def.extensions = { ...(def.extensions ?? {}), [MSFT_LOD]: { ids: lod.listLods().map((n) => context.nodeIndexMap.get(n)!) } };
    }
    return this;
  }
}
