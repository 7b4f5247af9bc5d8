/** The texture grid every completion step works on. */

/** The texture's grid: size, channels, and which texels lie inside a UV island. */
export interface Grid {
  width: number;
  height: number;
  channels: number;
  covered: (p: number) => boolean;
}
