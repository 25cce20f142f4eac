import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';

/**
 * Checks a batch of query rows before it may reach a model: a whole number of rows, each of
 * exactly `inputDim` columns, `rows × cols` values, every one finite. The stack's counter calls
 * this for every backend, so no backend (ONNX, subprocess, HTTP) ever sees a malformed row,
 * and none of them repeats the check.
 * @throws UserError naming the first bad row and column; nothing has been sent then.
 */
export function checkQueryInput(inputs: Matrix, inputDim: number): void {
  const { rows, cols, data } = inputs;
  if (!Number.isInteger(rows) || rows < 0) {
    throw new UserError(`query: the row count must be a non-negative integer, got ${rows}`);
  }
  if (cols !== inputDim) {
    throw new UserError(`query: rows have ${cols} columns, the model takes ${inputDim} inputs`);
  }
  if (data.length !== rows * cols) {
    throw new UserError(
      `query: ${rows} rows × ${cols} columns need ${rows * cols} values, the matrix holds ${data.length}`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const row = Math.floor(i / cols);
      throw new UserError(
        `query: row ${row}, column ${i - row * cols} is ${data[i]}; inputs must be finite`,
      );
    }
  }
}
