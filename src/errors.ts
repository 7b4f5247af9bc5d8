/**
 * Typed errors for problems with the user's input. Each has a stable snake_case `code` (the
 * daemon maps it to an HTTP status, see src/daemon/http-error.ts) and the CLI exit code
 * (2 bad input, 3 no face; see src/cli/main.ts).
 */

/** Base class: an input problem with a stable code. */
export class PorelightInputError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No face in the photo (HTTP 422, exit 3). */
export class NoFaceFound extends PorelightInputError {
  constructor(message = "no face found in the photo") {
    super(message, "no_face_found", 3);
  }
}

/** `face: N` asks for a face the photo does not have (HTTP 422, exit 3). */
export class FaceIndexOutOfRange extends PorelightInputError {
  constructor(
    readonly requested: number,
    readonly found: number,
  ) {
    super(`face ${requested} was requested but the photo has ${found} face${found === 1 ? "" : "s"} (faces are numbered from 0, largest first)`, "face_index_out_of_range", 3);
  }
}

/** The bytes are not a decodable image (HTTP 422, exit 2). */
export class InvalidImage extends PorelightInputError {
  constructor(message: string) {
    super(message, "invalid_image", 2);
  }
}

/** The image has more pixels than allowed (decompression-bomb guard; HTTP 413, exit 2). */
export class ImageTooLarge extends PorelightInputError {
  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(`the image is ${width}×${height} = ${((width * height) / 1e6).toFixed(1)} MP, more than the ${(maxPixels / 1e6).toFixed(1)} MP limit`, "image_too_large", 2);
  }
}

/** An option value is out of its domain (HTTP 400, exit 2). */
export class InvalidOption extends PorelightInputError {
  constructor(message: string) {
    super(message, "invalid_option", 2);
  }
}
