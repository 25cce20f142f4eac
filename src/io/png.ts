/**
 * Greyscale PNG images in and out (pngjs). Pixels come in as values in [0, 1] (8-bit level / 255;
 * 16-bit images are read at 8-bit precision) and go out as 8-bit grey levels.
 */
import { PNG } from 'pngjs';
import { UserError } from '../errors.js';
import { readRegularFile, writeFileReplacing } from './safeFiles.js';

/** An 8-bit greyscale image, row-major: pixel (y, x) is `pixels[y * width + x]`. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** A decoded greyscale image with values in [0, 1], row-major. */
export interface GreyValues {
  readonly width: number;
  readonly height: number;
  readonly values: Float64Array;
}

/** Largest PNG file read: a 4096 × 4096 greyscale image compresses to far less. */
export const MAX_PNG_BYTES = 64 * 1024 ** 2;

/** Encode an 8-bit greyscale PNG. */
export function encodeGreyPng(image: GreyImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  // pngjs packs from RGBA input; colorType 0 stores one grey channel.
  for (let p = 0; p < image.pixels.length; p++) {
    const v = image.pixels[p];
    png.data[4 * p] = v;
    png.data[4 * p + 1] = v;
    png.data[4 * p + 2] = v;
    png.data[4 * p + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 });
}

/**
 * Decode a PNG whose pixels are grey (a colour PNG whose channels are all equal counts as grey;
 * alpha is ignored).
 * @param what - the source's name for error messages.
 * @throws UserError when the bytes are not a PNG or a pixel has colour.
 */
export function decodeGreyPng(bytes: Buffer, what: string): GreyValues {
  let png;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new UserError(`${what}: not a readable PNG (${(e as Error).message})`);
  }
  const { width, height, data } = png;
  const values = new Float64Array(width * height);
  for (let p = 0; p < values.length; p++) {
    const [r, g, b] = [data[4 * p], data[4 * p + 1], data[4 * p + 2]];
    if (r !== g || g !== b) {
      throw new UserError(
        `${what}: pixel (${p % width}, ${Math.floor(p / width)}) has colour; expected a greyscale image`,
      );
    }
    values[p] = r / 255;
  }
  return { width, height, values };
}

/** Read a greyscale PNG file. @throws UserError naming `path` on any problem. */
export async function readGreyPng(path: string): Promise<GreyValues> {
  return decodeGreyPng(await readRegularFile(path, MAX_PNG_BYTES), path);
}

/** Write an 8-bit greyscale PNG file. @throws UserError naming `path` when it cannot be written. */
export async function writeGreyPng(path: string, image: GreyImage): Promise<void> {
  await writeFileReplacing(path, encodeGreyPng(image));
}
