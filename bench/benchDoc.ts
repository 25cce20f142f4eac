import { cpus } from 'node:os';
import type { BenchCase } from './cases.js';

/** The top of docs/BENCHMARKS.md that `npm run bench` writes: its prose and its one table. */

const TABLE_HEAD =
  '| case | method | served as | access | rank(A) | rank found | max angle (rad) | median angle | queries | queries ÷ floor | seconds | overhead share | certificate |\n' +
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';

/** The table with these row lines (each `| case | method | … |`). */
export function tableOf(rowLines: readonly string[]): string {
  return TABLE_HEAD + rowLines.map((line) => `${line}\n`).join('');
}

/** A case's row key, `case | method` (the method `auto` when none is set). */
export function caseKey(c: BenchCase): string {
  return `${c.name} | ${c.method ?? 'auto'}`;
}

/** A row line's key, `case | method`: one row per case and method. */
export function rowKey(line: string): string {
  const cells = line.split('|').map((cell) => cell.trim());
  return `${cells[1]} | ${cells[2]}`;
}

/** The row lines of the first table in `text` (a doc, or a table `--only` printed). */
export function rowLinesOf(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| case |'));
  if (start < 0) return [];
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('| ')) break;
    rows.push(line);
  }
  return rows;
}

/**
 * The doc's rows with `fresh` ones put in: a fresh row replaces the row of its key, and the rows
 * follow `order` (the keys of the fixed cases); rows of cases no longer fixed are dropped.
 */
export function mergeRowLines(
  old: readonly string[],
  fresh: readonly string[],
  order: readonly string[],
): string[] {
  const byKey = new Map(old.map((line) => [rowKey(line), line]));
  for (const line of fresh) byKey.set(rowKey(line), line);
  return order.flatMap((key) => byKey.get(key) ?? []);
}

/** The doc's top, down to its first owned section. */
export function benchDoc(rowLines: readonly string[]): string {
  return `# Benchmarks

Written by \`npm run bench\` (bench/run.ts over the fixed cases in bench/cases.ts); do not edit by
hand. A subset rerun, \`npm run bench -- --only NAME | npm run bench:merge\`, replaces those rows
and keeps the others. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}.

Methods: \`gradient\` (the paper's non-adaptive method, with our kink screen and noise-threshold
rank rule) and \`adaptive\` (ours: deflation along the complement of the span found, with
candidate points, probe-checked differences and, for float32 or noisy models, a refinement
phase that pools precise gradients), default options, seed per case, the same network for both
methods. Columns:

* **rank(A)** — the true rank of the first layer (measured from the weights); **rank found** — ours.
* **max angle**, **median angle** — largest and median principal angle between the recovered
  span and the true row span (over min(rank found, rank(A)) pairs).
* **queries** — every row that reached the model (for \`cmd\` cases checked against the
  black box's own count). **queries ÷ floor** — queries / ((k(n−k) + k) / m), m the outputs
  the access level reveals ([METHOD.md](METHOD.md#queries-and-the-floor)).
* **overhead share** — wall time spent outside the model, as a share of the run.
* **certificate** — the no-ground-truth completeness check (\`complete\` / \`unsure\` / \`incomplete\`).

The \`*-box-*\` rows are NumPy black boxes over \`cmd:\` that themselves give out only the decision
(\`reveals bit:median\`: 1 when their output exceeds its median, else 0, run with
\`--access threshold:0:0.5\`; \`reveals onehot\`: the one-hot top-1 label, run with \`--access label\`;
[REFERENCE.md](REFERENCE.md#cmdcommand-the-json-lines-protocol)): on them the boundary method finds the
full rank with angles and queries ÷ floor like those of the ONNX rows of the same shapes above
(other networks, whose scores only the access level hides); their seconds are mostly the JSON
exchange with the Python process.

${tableOf(rowLines)}`;
}
