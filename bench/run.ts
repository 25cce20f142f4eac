// `npm run bench`: run every fixed case in bench/cases.ts and write docs/BENCHMARKS.md.
// Usage: npm run bench [-- --only NAME_SUBSTRING]; --only prints the rows instead (npm run
// bench:merge puts them into the doc). `--recovery-seeds A-B` runs each case with every recovery
// seed from A to B (the model's seed unchanged) and `--options JSON` adds method options; both
// print the rows, one per case and seed, and never write the doc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpyMatrix } from '../src/io/npy.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { compareSubspaces, principalAngles } from '../src/linalg/principalAngles.js';
import { writeNetworkOnnx } from '../src/nets/onnxExport.js';
import { BENCHMARKS_DOC, ownedSections } from './sections.js';
import { benchDoc, tableOf } from './benchDoc.js';
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
      ...(c.influenceSpread === undefined ? [] : ['--influence-spread', c.influenceSpread]),
    ];
    const made = spawnSync('python3', [join(fixtures, 'make_mlp.py'), ...args.map(String), dir]);
    if (made.status !== 0) throw new Error(`make_mlp.py failed: ${made.stderr}`);
    const countFile = join(dir, 'count.txt');
    const round = c.round === undefined ? '' : ` --round ${c.round}`;
    const scores = `python3 ${join(fixtures, 'mlp_server.py')} ${join(dir, 'weights.npz')} --act ${c.activation} --dtype ${c.serve === 'cmd-f32' ? 'float32' : 'float64'}${round}`;
    const server = `${scores} --count-file ${countFile}${await revealFlag(c, scores)}`;
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

/**
 * mlp_server.py's `--reveal` for a box that gives out only a decision; `bit:median` finds the
 * median of score 0 from a separate scores-serving box (outside the run's count).
 */
async function revealFlag(c: BenchCase, scoresServer: string): Promise<string> {
  if (c.reveal === undefined) return '';
  if (c.reveal === 'onehot') return ' --reveal onehot';
  const scores = await CmdOracle.create(scoresServer, { inputDim: c.n });
  try {
    const access = await resolveAccess('threshold:0:median', scores);
    if (access.kind !== 'threshold') throw new Error(`${c.name}: no median threshold`);
    return ` --reveal bit:${access.threshold}`;
  } finally {
    await scores.dispose();
  }
}

async function runCase(c: BenchCase): Promise<Row> {
  const { model, truth, countFile } = await openCase(c);
  try {
    const s = await recoverSpan(model, {
      access: await resolveAccess(c.access, model),
      seed: c.recoverySeed ?? c.seed,
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

/** How the case's model is served; a box that gives out only a decision says which. */
function servedAs(c: BenchCase): string {
  return c.reveal === undefined ? c.serve : `${c.serve}, reveals ${c.reveal}`;
}

function rowLine(r: Row): string {
  return `| ${r.c.name} | ${r.c.method ?? 'auto'} | ${servedAs(r.c)} | ${r.c.access} | ${r.trueRank} | ${r.rank} | ${fmtAngle(r.maxAngle)} | ${fmtAngle(r.medianAngle)} | ${r.queries} | ${r.efficiency.toFixed(2)} | ${r.seconds.toFixed(2)} | ${(100 * r.overhead).toFixed(0)} % | ${r.certificate} |`;
}

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const filter = flag('--only') ?? '';
const seedRange = flag('--recovery-seeds')?.split('-').map(Number);
const options = flag('--options');
const extraOptions = JSON.parse(options ?? '{}') as Record<string, number>;
const sweep = seedRange !== undefined || options !== undefined;
const [firstSeed, lastSeed] = seedRange ?? [NaN, NaN];
const runs = CASES.filter((x) => x.name.includes(filter)).flatMap((c) => {
  const seeds = seedRange === undefined ? [undefined] : range(firstSeed, lastSeed ?? firstSeed);
  return seeds.map((s) => ({
    ...c,
    name: s === undefined ? c.name : `${c.name} seed ${s}`,
    recoverySeed: s,
    // the baseline keeps its own options
    methodOptions:
      sweep && c.method !== hsjBaselineMethod.name
        ? { ...c.methodOptions, ...extraOptions }
        : c.methodOptions,
  }));
});
const rows: Row[] = [];
for (const c of runs) {
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

if (filter === '' && !sweep) {
  writeFileSync(BENCHMARKS_DOC, benchDoc(rows.map(rowLine)) + ownedSections());
  process.stderr.write('bench: wrote docs/BENCHMARKS.md\n');
} else {
  process.stdout.write(tableOf(rows.map(rowLine)));
}

function range(from: number, to: number): number[] {
  if (!(Number.isInteger(from) && Number.isInteger(to) && from <= to)) {
    throw new Error('--recovery-seeds wants A-B, whole numbers, A ≤ B');
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
