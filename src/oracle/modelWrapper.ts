import { ForwardingOracle } from './forwardingOracle.js';
import type { Oracle } from './oracle.js';

/**
 * The base of wrappers that sit between a backend and the counter (a precision override, an
 * interruption, the journal): besides the model's description, they pass on what the counter
 * reads from a backend (`setupQueries`, `rowsSent`), so that the count stays exact.
 */
export abstract class ModelWrapper extends ForwardingOracle {
  /**
   * The wrapped model, open to subclasses: wrappers of this kind sit below the counter, which
   * keeps its own reference private, so an algorithm cannot reach them (unlike the access
   * level's wrapper, which keeps its inner oracle in a true private field).
   */
  protected readonly model: Oracle;

  protected constructor(model: Oracle) {
    super(model);
    this.model = model;
  }

  get setupQueries(): number | undefined {
    return this.model.setupQueries;
  }
  get rowsSent(): number | undefined {
    return this.model.rowsSent;
  }
}
