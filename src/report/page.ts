/** The HTML document around the report's sections: one file, no outside resources. */
import { element, lines, raw, voidElement, type Html } from './html.js';

/**
 * Nothing may be loaded from anywhere: images are data URLs and styles inline. The browser
 * enforces this too, so a future change that adds an outside resource fails loudly.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #222; max-width: 860px; margin: 2em auto;
  padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #e4e4e4; text-align: left; }
td { font-variant-numeric: tabular-nums; }
thead th { border-bottom: 2px solid #bbb; }
figure { margin: 1.5em 0; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figure img { image-rendering: pixelated; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #555; margin-top: 0.5em; }
`;

/** A complete HTML document with `title` (escaped) and the given body. */
export function page(title: string, body: Html): string {
  const head = element(
    'head',
    {},
    lines(
      voidElement('meta', { charset: 'utf-8' }),
      voidElement('meta', {
        'http-equiv': 'Content-Security-Policy',
        content: CONTENT_SECURITY_POLICY,
      }),
      voidElement('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      element('title', {}, title),
      element('style', {}, raw(STYLE)),
    ),
  );
  const html = element('html', { lang: 'en' }, lines(head, element('body', {}, body)));
  return `<!DOCTYPE html>\n${html.html}\n`;
}
