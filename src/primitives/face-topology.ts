/**
 * Every landmark index list of the project, in one place: indices into the 468-point MediaPipe
 * face mesh topology (facts of the canonical mesh's numbering, as published with MediaPipe Face
 * Mesh), and the 478-point order porelight uses. Code elsewhere names landmarks through this file.
 *
 * "Right"/"left" are the subject's: the right eye is on the image left of a frontal photo.
 * 478-point order (MediaPipe's refined landmarks): 0..467 mesh, 468..472 right iris (centre,
 * then 4 points on the iris edge), 473..477 left iris (same order).
 */

/** Points of the face mesh proper (the irises follow them). */
export const MESH_LANDMARK_COUNT = 468;
export const RIGHT_IRIS_START = 468;
export const LEFT_IRIS_START = 473;
/** Iris centre, then its 4 edge points. */
export const RIGHT_IRIS = [468, 469, 470, 471, 472];
export const LEFT_IRIS = [473, 474, 475, 476, 477];

/** Outer and inner eye corners. */
export const RIGHT_EYE_OUTER = 33;
export const RIGHT_EYE_INNER = 133;
export const LEFT_EYE_OUTER = 263;
export const LEFT_EYE_INNER = 362;

export const NOSE_TIP = 1;
/** Nasion: the root of the nose, between the eyes. */
export const NOSE_ROOT = 168;
/** Where the columella meets the upper lip. */
export const SUBNASALE = 2;
export const GLABELLA = 9;
/** Outermost points of the nostril wings. */
export const RIGHT_ALA = 98;
export const LEFT_ALA = 327;
export const FOREHEAD_TOP = 10;
/** Lowest point of the chin on the face oval (gnathion). */
export const CHIN = 152;
/** Face-oval points at the cheek edge, in front of the ears (near the tragion). */
export const RIGHT_CHEEK_EDGE = 234;
export const LEFT_CHEEK_EDGE = 454;
/** The cheek edge with its two face-oval neighbours (above, below). */
export const RIGHT_CHEEK_SIDE = [127, 234, 93];
export const LEFT_CHEEK_SIDE = [356, 454, 323];
export const MOUTH_RIGHT = 61;
export const MOUTH_LEFT = 291;
/** Bottom centre of the outer lower-lip outline. */
export const LOWER_LIP_BOTTOM = 17;

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
/** The brow outline without its tapering ends (156, 193, 124, 35 and mirror): the dense hair only. */
export const RIGHT_BROW_CORE = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46];
export const LEFT_BROW_CORE = [300, 293, 334, 296, 336, 285, 295, 282, 283, 276];
/** Outer lip outline: lips are face texture, but their colour is not skin's. */
export const LIPS_OUTER = [61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185];
export const MOUTH_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191];
/** Inner lip lines, corner (78) to corner (308): the upper and lower halves of MOUTH_INNER. */
export const LIP_UPPER_INNER = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308];
export const LIP_LOWER_INNER = [78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308];

/** Lid margins (16 landmarks each, in order round the opening: lower lid outer → inner, then upper lid back). */
export const RIGHT_EYE_CONTOUR = [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246];
export const LEFT_EYE_CONTOUR = [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466];

/** Eye-lid centre points (upper, lower) whose depth the iris takes (its own z is unreliable). */
export const RIGHT_EYE_LID_CENTRES = [159, 145];
export const LEFT_EYE_LID_CENTRES = [386, 374];

/** The iris model's first 9 contour points follow the lower eyelid, outer to inner corner. */
export const RIGHT_EYE_LOWER_LID = [33, 7, 163, 144, 145, 153, 154, 155, 133];
export const LEFT_EYE_LOWER_LID = [263, 249, 390, 373, 374, 380, 381, 382, 362];

/**
 * The iris model's 71 eye-region contour points (indices into its output) and the mesh points
 * they refine, per eye: [iris-model indices, right-eye mesh indices, left-eye mesh indices].
 * Lists run from the outer to the inner corner.
 */
export const EYE_CONTOURS: { name: string; iris: number[]; right: number[]; left: number[] }[] = [
  { name: "lowerLid", iris: [0, 1, 2, 3, 4, 5, 6, 7, 8], right: RIGHT_EYE_LOWER_LID, left: LEFT_EYE_LOWER_LID },
  { name: "upperLid", iris: [9, 10, 11, 12, 13, 14, 15], right: [246, 161, 160, 159, 158, 157, 173], left: [466, 388, 387, 386, 385, 384, 398] },
  { name: "lower1", iris: [16, 17, 18, 19, 20, 21, 22, 23, 24], right: [130, 25, 110, 24, 23, 22, 26, 112, 243], left: [359, 255, 339, 254, 253, 252, 256, 341, 463] },
  { name: "upper1", iris: [25, 26, 27, 28, 29, 30, 31], right: [247, 30, 29, 27, 28, 56, 190], left: [467, 260, 259, 257, 258, 286, 414] },
  { name: "lower2", iris: [32, 33, 34, 35, 36, 37, 38, 39, 40], right: [226, 31, 228, 229, 230, 231, 232, 233, 244], left: [446, 261, 448, 449, 450, 451, 452, 453, 464] },
  { name: "upper2", iris: [41, 42, 43, 44, 45, 46, 47], right: [113, 225, 224, 223, 222, 221, 189], left: [342, 445, 444, 443, 442, 441, 413] },
  { name: "browLower", iris: [48, 49, 50, 51, 52, 53], right: [35, 124, 46, 53, 52, 65], left: [265, 353, 276, 283, 282, 295] },
  { name: "lower3", iris: [54, 55, 56, 57, 58, 59, 60, 61, 62], right: [143, 111, 117, 118, 119, 120, 121, 128, 245], left: [372, 340, 346, 347, 348, 349, 350, 357, 465] },
  { name: "browUpper", iris: [63, 64, 65, 66, 67, 68, 69, 70], right: [156, 70, 63, 105, 66, 107, 55, 193], left: [383, 300, 293, 334, 296, 336, 285, 417] },
];
