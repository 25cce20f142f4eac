import type { Matrix } from '../linalg/matrix.js';
import type { Oracle, Precision } from './oracle.js';

/**
 * The base of every wrapper in the stack: it forwards the model's description (`inputDim`,
 * `outputDim`, `precision`) and `dispose()` to the oracle it wraps, so a wrapper declares only
 * what it changes.
 *
 * It deliberately forwards no query: any method here that reached the wrapped oracle's `query`
 * would be callable at run time on every wrapper (protected is a compile-time notion), letting
 * an algorithm step around an access level or a budget. Each wrapper therefore implements
 * `query` itself, over its own `#private` reference to the oracle it wraps. The base keeps its
 * reference `#private` too: no property, getter or prototype method exposes the wrapped oracle.
 *
 * `setupQueries` and `rowsSent` are not forwarded: they describe a backend to the counter just
 * above it, and must not be seen (and counted again) higher up. A wrapper that sits below the
 * counter forwards them itself.
 */
export abstract class ForwardingOracle implements Oracle {
  readonly #wrapped: Oracle;

  protected constructor(wrapped: Oracle) {
    this.#wrapped = wrapped;
  }

  get inputDim(): number {
    return this.#wrapped.inputDim;
  }
  get outputDim(): number | undefined {
    return this.#wrapped.outputDim;
  }
  get precision(): Precision {
    return this.#wrapped.precision;
  }

  abstract query(inputs: Matrix): Promise<Matrix>;

  dispose(): Promise<void> {
    return this.#wrapped.dispose();
  }
}
