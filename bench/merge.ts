// `npm run bench:merge`: put the rows of a subset rerun into docs/BENCHMARKS.md, keeping the
// others. Usage: npm run bench -- --only NAME_SUBSTRING | npm run bench:merge
import { readFileSync, writeFileSync } from 'node:fs';
import { benchDoc, caseKey, mergeRowLines, rowKey, rowLinesOf } from './benchDoc.js';
import { CASES } from './cases.js';
import { BENCHMARKS_DOC, ownedSections } from './sections.js';

const fresh = rowLinesOf(readFileSync(0, 'utf8'));
if (fresh.length === 0) throw new Error('bench:merge: no table rows on stdin');
const order = CASES.map(caseKey);
const unknown = fresh.filter((line) => !order.includes(rowKey(line)));
if (unknown.length > 0) throw new Error(`bench:merge: not a fixed case: ${unknown[0]}`);
const old = rowLinesOf(readFileSync(BENCHMARKS_DOC, 'utf8'));
writeFileSync(BENCHMARKS_DOC, benchDoc(mergeRowLines(old, fresh, order)) + ownedSections());
process.stderr.write(`bench:merge: put ${fresh.length} rows into docs/BENCHMARKS.md\n`);
