import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** docs/BENCHMARKS.md: `npm run bench` writes the top; other bench scripts own marked sections. */
export const BENCHMARKS_DOC = new URL('../docs/BENCHMARKS.md', import.meta.url);

/** The marker that starts a section owned by one bench script. */
export const sectionMarker = (name: string): string => `<!-- section: ${name} -->`;

/** The doc's text from the first section marker on (kept when the top is rewritten). */
export function ownedSections(): string {
  if (!existsSync(BENCHMARKS_DOC)) return '';
  const doc = readFileSync(BENCHMARKS_DOC, 'utf8');
  const at = doc.indexOf('<!-- section: ');
  return at < 0 ? '' : '\n' + doc.slice(at);
}

/** Replace (or append) section `name` of the doc with `body`. */
export function writeSection(name: string, body: string): void {
  const doc = existsSync(BENCHMARKS_DOC) ? readFileSync(BENCHMARKS_DOC, 'utf8') : '# Benchmarks\n';
  const marker = sectionMarker(name);
  const start = doc.indexOf(marker);
  const next = start < 0 ? -1 : doc.indexOf('<!-- section: ', start + marker.length);
  const before = start < 0 ? doc.trimEnd() + '\n\n' : doc.slice(0, start);
  const after = next < 0 ? '' : doc.slice(next);
  writeFileSync(
    BENCHMARKS_DOC,
    `${before}${marker}\n${body.trimEnd()}\n${after ? '\n' + after : ''}`,
  );
}
