// `npm run bench`: run every fixed case in bench/cases.ts and write docs/BENCHMARKS.md.
// Usage: npm run bench [-- --only NAME_SUBSTRING]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyMatrix } from '../src/io/npy.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { compareSubspaces, principalAngles } from '../src/linalg/principalAngles.js';
import { writeNetworkOnnx } from '../src/nets/onnxExport.js';
import { ownedSections } from './sections.js';
import { randomNetwork } from '../src/nets/randomNetwork.js';
import { parseAccess, type AccessLevel } from '../src/oracle/access.js';
import { CmdOracle } from '../src/oracle/cmdOracle.js';
import { OnnxOracle } from '../src/oracle/onnxOracle.js';
import type { Oracle } from '../src/oracle/oracle.js';
import { Rng } from '../src/random/rng.js';
import { recoverSpan } from '../src/recover/recoverSpan.js';
import { registerMethod } from '../src/recover/registry.js';
import { CASES, type BenchCase } from './cases.js';
import { hsjBaselineMethod } from './hsjBaseline.js';

registerMethod(hsjBaselineMethod);

interface Row {
  readonly c: BenchCase;
  readonly trueRank: number;
  readonly rank: number;
  readonly maxAngle: number;
  readonly medianAngle: number;
  readonly queries: number;
  readonly efficiency: number;
  readonly seconds: number;
  readonly overhead: number;
  readonly certificate: string;
  readonly complete: boolean;
  readonly countedByModel: number | null;
}

const work = mkdtempSync(join(tmpdir(), 'spanrec-bench-'));
const fixtures = new URL('../test/fixtures/cmd/', import.meta.url).pathname;

async function openCase(
  c: BenchCase,
): Promise<{ model: Oracle; truth: Matrix; countFile?: string }> {
  const dir = join(work, c.name);
  if (c.serve === 'cmd-f64' || c.serve === 'cmd-f32') {
    const args = [
      '--n',
      c.n,
      '--k',
      c.k,
      '--widths',
      c.widths.join(','),
      '--outputs',
      c.outputs,
      '--seed',
      c.seed,
    ];
    const made = spawnSync('python3', [join(fixtures, 'make_mlp.py'), ...args.map(String), dir]);
    if (made.status !== 0) throw new Error(`make_mlp.py failed: ${made.stderr}`);
    const countFile = join(dir, 'count.txt');
    const round = c.round === undefined ? '' : ` --round ${c.round}`;
    const server = `python3 ${join(fixtures, 'mlp_server.py')} ${join(dir, 'weights.npz')} --act ${c.activation} --count-file ${countFile} --dtype ${c.serve === 'cmd-f32' ? 'float32' : 'float64'}${round}`;
    const model = await CmdOracle.create(server, { inputDim: c.n });
    return { model, truth: await readNpyMatrix(join(dir, 'A.npy')), countFile };
  }
  const net = randomNetwork(
    {
      inputDim: c.n,
      firstWidth: c.k,
      hiddenWidths: c.widths,
      outputs: c.outputs,
      activation: c.activation,
      bias: true,
      firstRank: c.rank,
      head: c.head,
      layerNorm: c.layerNorm,
      influenceSpread: c.influenceSpread,
    },
    new Rng(c.seed),
  );
  const path = join(work, `${c.name}.onnx`);
  await writeNetworkOnnx(path, net, {
    dtype: c.serve === 'onnx-f32' ? 'f32' : 'f64',
    inputShape: c.inputShape,
  });
  return { model: await OnnxOracle.create(path), truth: net.layers[0].weight };
}

async function runCase(c: BenchCase): Promise<Row> {
  const { model, truth, countFile } = await openCase(c);
  try {
    const s = await recoverSpan(model, {
      access: await resolveAccess(c.access, model),
      seed: c.seed,
      method: c.method,
      budget: c.budget,
      methodOptions: c.methodOptions,
    });
    const cmp = compareSubspaces(s.result.basis, truth);
    const k = cmp.dimB; // rank(A), measured
    const m = c.access === 'scores' ? c.outputs : 1;
    return {
      c,
      trueRank: k,
      rank: s.result.rank,
      maxAngle: cmp.maxAngle,
      medianAngle: median(principalAngles(s.result.basis, truth)),
      queries: s.queries,
      efficiency: s.queries / ((k * (c.n - k) + k) / m),
      seconds: s.seconds,
      overhead: 1 - s.secondsInOracle / s.seconds,
      certificate: s.certificate?.verdict ?? 'not run',
      complete: s.complete,
      countedByModel: countFile ? Number(readFileSync(countFile, 'utf8')) : null,
    };
  } finally {
    await model.dispose();
  }
}

/**
 * The case's access level; `threshold:I:median` becomes the median of output I over 201 seeded
 * Gaussian inputs (queried outside the run, so not counted in its queries).
 */
async function resolveAccess(access: string, model: Oracle): Promise<AccessLevel> {
  const m = /^threshold:(\d+):median$/.exec(access);
  if (m === null) return parseAccess(access);
  const index = Number(m[1]);
  const count = 201;
  const n = model.inputDim;
  const inputs = { rows: count, cols: n, data: new Rng(99).gaussianVector(count * n) };
  const out = await model.query(inputs);
  const values = Float64Array.from({ length: count }, (_, r) => out.data[r * out.cols + index]);
  return { kind: 'threshold', index, threshold: median(values) };
}

function median(values: Float64Array): number {
  const v = Array.from(values).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[v.length >> 1];
}

function fmtAngle(x: number): string {
  return x === Math.PI / 2 ? 'π/2' : x.toExponential(1);
}

function table(rows: Row[]): string {
  const head =
    '| case | method | served as | access | rank(A) | rank found | max angle (rad) | median angle | queries | queries ÷ floor | seconds | overhead share | certificate |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.c.name} | ${r.c.method ?? 'auto'} | ${r.c.serve} | ${r.c.access} | ${r.trueRank} | ${r.rank} | ${fmtAngle(r.maxAngle)} | ${fmtAngle(r.medianAngle)} | ${r.queries} | ${r.efficiency.toFixed(2)} | ${r.seconds.toFixed(2)} | ${(100 * r.overhead).toFixed(0)} % | ${r.certificate} |`,
      )
      .join('\n') +
    '\n'
  );
}

const only = process.argv.indexOf('--only');
const filter = only >= 0 ? process.argv[only + 1] : '';
const rows: Row[] = [];
for (const c of CASES.filter((x) => x.name.includes(filter))) {
  process.stderr.write(`bench: ${c.name} (${c.method ?? 'auto'}) … `);
  const row = await runCase(c);
  if (row.countedByModel !== null && row.countedByModel !== row.queries) {
    throw new Error(
      `${c.name}: reported ${row.queries} queries, the model counted ${row.countedByModel}`,
    );
  }
  process.stderr.write(
    `rank ${row.rank}/${row.trueRank}, angle ${fmtAngle(row.maxAngle)}, ${row.queries} queries\n`,
  );
  rows.push(row);
}
rmSync(work, { recursive: true, force: true });

const doc = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts over the fixed cases in bench/cases.ts); do not edit by
hand. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}.

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

${table(rows)}${ownedSections()}`;
if (filter === '') {
  writeFileSync(new URL('../docs/BENCHMARKS.md', import.meta.url), doc);
  process.stderr.write('bench: wrote docs/BENCHMARKS.md\n');
} else {
  process.stdout.write(table(rows));
}
