/**
 * The few EXIF fields that say what lens took a photo: focal length (real and 35 mm-equivalent),
 * the sensor's pixel density, and the image size the camera wrote. Read from the raw EXIF block
 * sharp's `metadata().exif` returns ("Exif\0\0" then a TIFF structure, CIPA DC-008 / Exif 2.3).
 * Our own small reader rather than a dependency: five tags of two IFDs. Anything malformed gives
 * `null` fields, never an exception: EXIF is a hint, not an input the job can fail on.
 */

import type { LensHint } from "../types.ts";

const EXIF_IFD_POINTER = 0x8769;
const TAG = { make: 0x010f, model: 0x0110, focalLength: 0x920a, focal35: 0xa405, pixelX: 0xa002, pixelY: 0xa003, planeXRes: 0xa20e, planeUnit: 0xa210 } as const;
/** FocalPlaneResolutionUnit → millimetres per unit (2 inch, 3 cm, 4 mm, 5 µm; Exif 2.3 §4.6.5). */
const UNIT_MM: Record<number, number> = { 1: 25.4, 2: 25.4, 3: 10, 4: 1, 5: 0.001 };
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8 };

/** Reads the lens facts from an EXIF block (with or without the "Exif\0\0" prefix); null when it is not one. */
export function readExifLens(exif: Uint8Array | undefined): LensHint | null {
  if (!exif || exif.length < 14) return null;
  const start = exif[0] === 0x45 && exif[1] === 0x78 && exif[2] === 0x69 && exif[3] === 0x66 ? 6 : 0;
  const view = new DataView(exif.buffer, exif.byteOffset + start, exif.byteLength - start);
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const le = order === 0x4949;
  const fields = new Map<number, number | string>();
  const readIfd = (offset: number): void => {
    if (offset + 2 > view.byteLength) return;
    const count = view.getUint16(offset, le);
    for (let e = 0; e < count; e++) {
      const at = offset + 2 + 12 * e;
      if (at + 12 > view.byteLength) return;
      const tag = view.getUint16(at, le), type = view.getUint16(at + 2, le), n = view.getUint32(at + 4, le);
      const size = (TYPE_SIZE[type] ?? 0) * n;
      if (!size) continue;
      const data = size <= 4 ? at + 8 : view.getUint32(at + 8, le);
      if (data + size > view.byteLength) continue;
      const value = valueAt(view, data, type, n, le);
      if (value !== null) fields.set(tag, value);
    }
  };
  readIfd(view.getUint32(4, le));
  const exifIfd = fields.get(EXIF_IFD_POINTER);
  if (typeof exifIfd === "number") readIfd(exifIfd);
  const num = (tag: number) => {
    const v = fields.get(tag);
    return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
  };
  const text = (tag: number) => {
    const v = fields.get(tag);
    return typeof v === "string" && v.trim() ? v.trim() : null;
  };
  const res = num(TAG.planeXRes), unit = UNIT_MM[num(TAG.planeUnit) ?? 2];
  const camera = [text(TAG.make), text(TAG.model)].filter(Boolean).join(" ") || null;
  return {
    focalLengthMm: num(TAG.focalLength),
    focalLength35mm: num(TAG.focal35),
    focalPlanePxPerMm: res && unit ? res / unit : null,
    pixelWidth: num(TAG.pixelX),
    pixelHeight: num(TAG.pixelY),
    camera,
  };
}

/** The first value of an IFD entry: ASCII as a string, SHORT/LONG/RATIONAL as a number; null otherwise. */
function valueAt(view: DataView, at: number, type: number, count: number, le: boolean): number | string | null {
  switch (type) {
    case 2: {
      let s = "";
      for (let i = 0; i < count; i++) {
        const c = view.getUint8(at + i);
        if (c === 0) break;
        s += String.fromCharCode(c);
      }
      return s;
    }
    case 3:
      return view.getUint16(at, le);
    case 4:
      return view.getUint32(at, le);
    case 5: {
      const d = view.getUint32(at + 4, le);
      return d ? view.getUint32(at, le) / d : null;
    }
    default:
      return null;
  }
}
