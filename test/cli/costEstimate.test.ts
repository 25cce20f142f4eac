import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CostEstimate, costRows } from '../../src/cli/costEstimate.js';

const event = (queries: number, secondsInOracle: number) => ({
  phase: 'adaptive',
  done: 1,
  total: 100,
  queries,
  secondsInOracle,
});

test('the estimate is said once, after the first point, from the measured speed', () => {
  const estimate = new CostEstimate(1000);
  assert.equal(estimate.update(event(999, 1)), null, 'not before one point of rows');
  assert.equal(estimate.update(event(1000, 0)), null, 'not without model time to go by');
  const line = estimate.update(event(2000, 5)); // 400 rows/s
  assert.ok(line !== null);
  assert.match(line, /~400 rows\/s/);
  assert.match(line, /each new direction costs about 1000 rows \(~3 s/);
  // rank 128 at n = 1000: 128·872 + 128 = 111,744 rows at 400 rows/s ≈ 279 s
  assert.match(line, /k = 128: ~5 min/);
  assert.equal(estimate.update(event(3000, 10)), null, 'said only once');
});

test('a run that will be over in about a minute gets no estimate', () => {
  // 4000 rows/s: rank 128 at n = 1000 takes ~28 s
  assert.equal(new CostEstimate(1000).update(event(2000, 0.5)), null);
});

test('costRows is the floor k(n − k) + k', () => {
  assert.equal(costRows(128, 784), 128 * 656 + 128);
  assert.equal(costRows(5, 5), 5);
});
