/**
 * Output heads: what a network applies to its last dense layer's outputs (the logits) to make
 * its scores, as deployed classifiers and scorers do.
 * - `linear`: the logits themselves;
 * - `sigmoid`: σ(z) = 1 / (1 + e^(−z)) on every logit (independent probabilities, e.g. one score);
 * - `softmax`: e^(z_j − max z) / Σ_l e^(z_l − max z) over the row (a probability vector).
 */
export type Head = 'linear' | 'sigmoid' | 'softmax';
export const HEADS: readonly Head[] = ['linear', 'sigmoid', 'softmax'];

/** The logistic function in float64. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Apply `head` in place to one row of logits; returns the row. */
export function applyHead(head: Head, row: Float64Array): Float64Array {
  switch (head) {
    case 'linear':
      return row;
    case 'sigmoid':
      for (let j = 0; j < row.length; j++) row[j] = sigmoid(row[j]);
      return row;
    case 'softmax': {
      // subtracting the maximum keeps every exponent ≤ 0 (no overflow), as onnxruntime does
      let max = -Infinity;
      for (const z of row) max = Math.max(max, z);
      let sum = 0;
      for (let j = 0; j < row.length; j++) {
        row[j] = Math.exp(row[j] - max);
        sum += row[j];
      }
      for (let j = 0; j < row.length; j++) row[j] /= sum;
      return row;
    }
  }
}

/**
 * Reverse mode through the head: given the head's outputs `y` and a cotangent `g` on them, the
 * cotangent on the logits (gᵀ ∂y/∂z).
 */
export function headVjp(head: Head, y: Float64Array, g: Float64Array): Float64Array {
  switch (head) {
    case 'linear':
      return g.slice();
    case 'sigmoid':
      return g.map((gj, j) => gj * y[j] * (1 - y[j]));
    case 'softmax': {
      // ∂y_j/∂z_l = y_j (δ_jl − y_l), so the cotangent is y ⊙ (g − gᵀy)
      let gy = 0;
      for (let j = 0; j < y.length; j++) gy += g[j] * y[j];
      return g.map((gj, j) => y[j] * (gj - gy));
    }
  }
}
