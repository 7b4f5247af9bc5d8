/**
 * Index lists into the 468-point MediaPipe face mesh topology (facts of the canonical mesh's
 * numbering, as published with MediaPipe Face Mesh), and the 478-point order porelight uses.
 *
 * "Right"/"left" are the subject's: the right eye is on the image left of a frontal photo.
 * 478-point order (MediaPipe's refined landmarks): 0..467 mesh, 468..472 right iris (centre,
 * then 4 points on the iris edge), 473..477 left iris (same order).
 */

export const RIGHT_IRIS_START = 468;
export const LEFT_IRIS_START = 473;

/** Outer and inner eye corners. */
export const RIGHT_EYE_OUTER = 33;
export const RIGHT_EYE_INNER = 133;
export const LEFT_EYE_OUTER = 263;
export const LEFT_EYE_INNER = 362;

export const NOSE_TIP = 1;
export const FOREHEAD_TOP = 10;
export const CHIN = 152;
export const RIGHT_CHEEK_EDGE = 234;
export const LEFT_CHEEK_EDGE = 454;
export const MOUTH_RIGHT = 61;
export const MOUTH_LEFT = 291;

/** The face oval, clockwise on a frontal photo, starting at the top of the forehead. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162,
  21, 54, 103, 67, 109,
];

/** Closed polygons (outline order) of the parts that are not skin. */
export const RIGHT_EYE_RING = [130, 25, 110, 24, 23, 22, 26, 112, 243, 190, 56, 28, 27, 29, 30, 247];
export const LEFT_EYE_RING = [359, 255, 339, 254, 253, 252, 256, 341, 463, 414, 286, 258, 257, 259, 260, 467];
export const RIGHT_BROW = [156, 70, 63, 105, 66, 107, 55, 193, 65, 52, 53, 46, 124, 35];
export const LEFT_BROW = [383, 300, 293, 334, 296, 336, 285, 417, 295, 282, 283, 276, 353, 265];
/** Outer lip outline: lips are face texture, but their colour is not skin's. */
export const LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185];
export const MOUTH_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191];

/** Eye-lid centre points (upper, lower) whose depth the iris takes (its own z is unreliable). */
export const RIGHT_EYE_LID_CENTRES = [159, 145];
export const LEFT_EYE_LID_CENTRES = [386, 374];

/** The iris model's first 9 contour points follow the lower eyelid, outer to inner corner. */
export const RIGHT_EYE_LOWER_LID = [33, 7, 163, 144, 145, 153, 154, 155, 133];
export const LEFT_EYE_LOWER_LID = [263, 249, 390, 373, 374, 380, 381, 382, 362];
