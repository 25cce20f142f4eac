import { ForwardingOracle } from './forwardingOracle.js';
import type { Oracle } from './oracle.js';

/**
 * The base of wrappers that sit between a backend and the counter (a precision override, an
 * interruption, the journal): besides the model's description, they pass on what the counter
 * reads from a backend (`setupQueries`, `rowsSent`), so that the count stays exact.
 */
export abstract class ModelWrapper extends ForwardingOracle {
  readonly #model: Oracle;

  protected constructor(model: Oracle) {
    super(model);
    this.#model = model;
  }

  get setupQueries(): number | undefined {
    return this.#model.setupQueries;
  }
  get rowsSent(): number | undefined {
    return this.#model.rowsSent;
  }
}
