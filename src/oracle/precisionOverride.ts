import type { Matrix } from '../linalg/matrix.js';
import { ModelWrapper } from './modelWrapper.js';
import type { Oracle, Precision } from './oracle.js';

/**
 * A model whose precision the user states (e.g. a float32 model behind `cmd:`, which cannot
 * tell), otherwise the model itself. It sits below the counter, so it passes on what the
 * counter reads from a backend (`setupQueries`, `rowsSent`).
 */
export class PrecisionOverride extends ModelWrapper {
  readonly #precision: Precision;

  constructor(model: Oracle, precision: Precision) {
    super(model);
    this.#precision = precision;
  }

  override get precision(): Precision {
    return this.#precision;
  }

  query(inputs: Matrix): Promise<Matrix> {
    return this.model.query(inputs);
  }
}
