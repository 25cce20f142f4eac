/**
 * The few HTML-building helpers the report needs. Every piece of text passes through
 * `escapeHtml` before it reaches the page, so a title such as `<script>` is shown, not run.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe both as element content and inside a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Already-escaped HTML, so that helpers can tell markup from text. */
export interface Html {
  readonly html: string;
}

/** Mark a string that is already valid, escaped HTML (our own markup, or Vega's SVG). */
export function raw(html: string): Html {
  return { html };
}

/** Text is escaped; Html is kept as it is. */
export type Content = string | Html;

function contentHtml(content: Content): string {
  return typeof content === 'string' ? escapeHtml(content) : content.html;
}

type Attributes = Readonly<Record<string, string>>;

function attributeHtml(attributes: Attributes): string {
  return Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeHtml(value)}"`)
    .join('');
}

/** `<name attrs>children</name>`, attribute values and text children escaped. */
export function element(
  name: string,
  attributes: Attributes,
  ...children: readonly Content[]
): Html {
  const body = children.map(contentHtml).join('');
  return raw(`<${name}${attributeHtml(attributes)}>${body}</${name}>`);
}

/** An element that has no content and no end tag (`<img>`, `<meta>`). */
export function voidElement(name: string, attributes: Attributes): Html {
  return raw(`<${name}${attributeHtml(attributes)}>`);
}

/** Several pieces joined by newlines (keeps the page source readable). */
export function lines(...parts: readonly (Html | undefined)[]): Html {
  return raw(parts.flatMap((p) => (p === undefined ? [] : [p.html])).join('\n'));
}
