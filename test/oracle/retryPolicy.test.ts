import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Limiter } from '../../src/oracle/limiter.js';
import {
  backoffSeconds,
  FIRST_BACKOFF_SECONDS,
  isRetryableStatus,
  MAX_BACKOFF_SECONDS,
  parseRetryAfter,
} from '../../src/oracle/retryPolicy.js';

describe('retry policy', () => {
  it('retries timeouts, 429 and 5xx only', () => {
    assert.deepEqual([200, 400, 404, 408, 413, 429, 500, 503, 599].map(isRetryableStatus), [
      false,
      false,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it('doubles the backoff from the first step, capped; Retry-After wins, capped too', () => {
    assert.equal(backoffSeconds(1, null, 0), FIRST_BACKOFF_SECONDS);
    assert.equal(backoffSeconds(3, null, 0), 4 * FIRST_BACKOFF_SECONDS);
    assert.equal(backoffSeconds(40, null, 0), MAX_BACKOFF_SECONDS);
    assert.equal(backoffSeconds(1, '7', 0), 7);
    assert.equal(backoffSeconds(1, '86400', 0), MAX_BACKOFF_SECONDS);
    assert.equal(backoffSeconds(2, 'soon', 0), 2 * FIRST_BACKOFF_SECONDS, 'unreadable: ignored');
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', now), 5);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a past date: now');
  });

  it('never waits less than 0 nor more than the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.option(fc.string()), (retry, header) => {
        const s = backoffSeconds(retry, header, 0);
        assert.ok(s >= 0 && s <= MAX_BACKOFF_SECONDS, `${s}`);
      }),
    );
  });
});

describe('Limiter', () => {
  it('never runs more than its limit at once, and runs every task (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        async (limit, delays) => {
          const limiter = new Limiter(limit);
          let running = 0;
          let most = 0;
          const results = await Promise.all(
            delays.map((d, i) =>
              limiter.run(async () => {
                running += 1;
                most = Math.max(most, running);
                await new Promise((r) => setTimeout(r, d));
                running -= 1;
                return i;
              }),
            ),
          );
          assert.deepEqual(
            results,
            delays.map((_, i) => i),
          );
          assert.ok(most <= limit, `${most} > ${limit}`);
          assert.equal(limiter.running, 0);
        },
      ),
      { numRuns: 30 },
    );
  });
});
