/** `<figure>` blocks: a plot drawn to inline SVG, or a PNG inlined as a base64 data URL. */
import { renderSvg, type VegaLiteSpec } from '../plot/vegaLite.js';
import { element, raw, voidElement, type Content, type Html } from './html.js';

/** The eight bytes every PNG file starts with. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The PNG as a `data:` URL: the report must open with no other file and no network. */
export function pngDataUrl(png: Uint8Array): string {
  if (!isPng(png)) throw new Error('report: image bytes are not a PNG (no PNG signature)');
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

function figure(id: string, body: Html, caption: Content): Html {
  return element('figure', { id }, body, element('figcaption', {}, caption));
}

/**
 * A plot figure. Vega's SVG is inserted as it is: it is generated markup whose text Vega
 * escapes itself, and its data are numbers and labels we chose.
 */
export async function plotFigure(id: string, spec: VegaLiteSpec, caption: Content): Promise<Html> {
  return figure(id, raw(await renderSvg(spec)), caption);
}

/** Largest on-screen size of an image: small tiles (28×28 digits) are enlarged up to it. */
const IMAGE_MAX_WIDTH_PX = 360;
const IMAGE_MAX_HEIGHT_PX = 480;

/** Width and height in pixels, from the PNG's header (IHDR, the first chunk). */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * The PNG at the largest whole-number zoom that fits the maximum size (at least 1×): whole
 * numbers keep every pixel square and sharp (with `image-rendering: pixelated`).
 */
export function imageFigure(id: string, png: Uint8Array, alt: string, caption: Content): Html {
  const src = pngDataUrl(png);
  const { width, height } = pngSize(png);
  const zoom = Math.max(
    1,
    Math.floor(Math.min(IMAGE_MAX_WIDTH_PX / width, IMAGE_MAX_HEIGHT_PX / height)),
  );
  const size = { width: String(width * zoom), height: String(height * zoom) };
  return figure(id, voidElement('img', { src, alt, ...size }), caption);
}
