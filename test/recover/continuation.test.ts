import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros, type Matrix } from '../../src/linalg/matrix.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import { recoverAdaptively } from '../../src/recover/adaptive.js';
import { defineMethod } from '../../src/recover/method.js';
import { MAX_CONTINUATIONS, recoverSpan } from '../../src/recover/recoverSpan.js';
import { registerMethod, unregisterMethod } from '../../src/recover/registry.js';
import { firstLayer, rareUnitOracle } from '../helpers.js';

/** float64 ReLU, forward differences: as in adaptive.test.ts. */
const F64_MAX_ANGLE = 1e-8;

/**
 * Unit 0 is off unless a₀·x > 40‖a₀‖: never at the recovery's scale, nor 10× out (where the
 * sweep and the certificate's wide moves look), on at a third of points 100× out.
 */
const farUnit = (seed: number) =>
  rareUnitOracle({ inputDim: 50, firstWidth: 10, rare: 1, sigma: 40 }, seed);

/** Points 100× out where unit 0 is on: what a certificate's leads would hold. */
function leadsWhereOn(oracle: ReturnType<typeof farUnit>, count: number, rng: Rng): Matrix {
  const a = firstLayer(oracle);
  const b0 = (oracle.network.layers[0].bias as Float64Array)[0];
  const leads = zeros(count, 50);
  for (let found = 0; found < count;) {
    const x = rng.gaussianVector(50).map((v) => 100 * v);
    let z = b0;
    for (let j = 0; j < 50; j++) z += a.data[j] * x[j];
    if (z > 0) leads.data.set(x, 50 * found++);
  }
  return leads;
}

test('a continued adaptive run measures its leads first and finds the unit live there', async () => {
  for (const seed of [1, 2]) {
    const oracle = farUnit(seed);
    const first = await recoverAdaptively(oracle, new Rng(seed + 1000));
    assert.equal(first.rank, 9, 'the unit stays hidden from a plain run');
    const go = (leads: Matrix) =>
      recoverAdaptively(oracle, new Rng(seed + 2000), {}, () => {}, {
        basis: first.basis,
        leads,
        pointScale: first.pointScale,
        carry: first.carry,
      });
    const without = await go(zeros(0, 50));
    assert.equal(without.rank, 9, 'nor does going on without leads find it');
    const withLeads = await go(leadsWhereOn(oracle, 2, new Rng(seed)));
    assert.equal(withLeads.rank, 10, `seed ${seed}`);
    assert.ok(compareSubspaces(withLeads.basis, firstLayer(oracle)).maxAngle < F64_MAX_ANGLE);
  }
});

/**
 * A toy method that continues: its first run finds all but the last axis the output responds
 * to; a continued run adds one axis for each lead. Enough to watch recoverSpan's loop.
 */
const calls: { leads: number; known: number }[] = [];
const partialAxes = defineMethod({
  name: 'toy-partial',
  summary: 'test only',
  accepts: (access) => access.kind === 'scores',
  autoPriority: 0,
  options: [],
  continues: true,
  run: async (oracle, _rng, _options, _onProgress, from) => {
    const n = oracle.inputDim;
    calls.push({ leads: from?.leads.rows ?? 0, known: from?.basis.rows ?? 0 });
    const rank = from === undefined ? n - 2 : Math.min(n, from.basis.rows + 1);
    const basis = zeros(rank, n);
    for (let i = 0; i < rank; i++) basis.data[i * n + i] = 1;
    await oracle.query(zeros(1, n)); // every run spends something
    return {
      method: 'toy-partial',
      basis,
      rank,
      singularValues: new Float64Array(rank - (from?.basis.rows ?? 0)).fill(1),
      rankGapRatio: Infinity,
      stopReason: 'saturated',
      pointScale: 1,
      details: {},
    };
  },
});

test('an incomplete certificate sends a continuing method back, at most MAX_CONTINUATIONS times', async () => {
  registerMethod(partialAxes);
  try {
    // y = Σ xᵢ² over all 6 axes: every axis matters; the toy's first run misses 2
    const model = {
      inputDim: 6,
      outputDim: 1,
      precision: 'f64' as const,
      query: async (x: Matrix) => {
        const y = zeros(x.rows, 1);
        for (let r = 0; r < x.rows; r++) {
          for (let j = 0; j < 6; j++) y.data[r] += x.data[r * 6 + j] ** 2;
        }
        return y;
      },
      dispose: async () => {},
    };
    calls.length = 0;
    const s = await recoverSpan(model, { method: 'toy-partial', seed: 1 });
    assert.equal(s.continuations, 2);
    assert.ok(MAX_CONTINUATIONS >= 2);
    assert.equal(s.result.rank, 6);
    assert.equal(s.certificate.verdict, 'complete');
    assert.equal(s.result.singularValues.length, 6, 'spectra of all runs');
    assert.deepEqual(
      calls.map((c) => c.known),
      [0, 4, 5],
    );
    assert.ok(
      calls.slice(1).every((c) => c.leads > 0 && c.leads % 2 === 0),
      'pairs of points',
    );
  } finally {
    unregisterMethod('toy-partial');
  }
});
