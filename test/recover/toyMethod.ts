import { zeros } from '../../src/linalg/matrix.js';
import { defineMethod } from '../../src/recover/method.js';

/**
 * A toy recovery method in one file, as a plug-in would add one: it steps along each input
 * axis and reports the axes the single output responds to. Enough to show that the registry,
 * the CLI's flags and result.json carry a new method end to end.
 */
export const axesMethod = defineMethod({
  name: 'toy-axes',
  summary: 'test only: the input axes the first output responds to',
  accepts: (access) => access.kind === 'scores' || access.kind === 'score',
  autoPriority: 0,
  options: [
    {
      key: 'axisStep',
      placeholder: 'h',
      kind: 'positive',
      description: 'step along each axis',
    },
  ],
  run: async (oracle, _rng, options, onProgress) => {
    const n = oracle.inputDim;
    const step = options.axisStep ?? 1;
    const rows = zeros(n + 1, n);
    for (let j = 0; j < n; j++) rows.data[(j + 1) * n + j] = step;
    const out = await oracle.query(rows);
    const m = out.cols;
    const axes: number[] = [];
    for (let j = 0; j < n; j++) if (out.data[(j + 1) * m] !== out.data[0]) axes.push(j);
    onProgress({ phase: 'axes', done: 1, total: 1 });
    const basis = zeros(axes.length, n);
    axes.forEach((j, i) => (basis.data[i * n + j] = 1));
    return {
      method: 'toy-axes',
      basis,
      rank: axes.length,
      singularValues: new Float64Array(axes.length).fill(1),
      rankGapRatio: Infinity,
      stopReason: 'saturated',
      pointScale: 1,
      details: { axisStep: step, responsive: axes.length },
    };
  },
});
