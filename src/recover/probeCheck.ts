/**
 * Consistency of a point's complement measurements with its probes, and the location of a
 * single bad coordinate (a forward step that crossed a ReLU boundary).
 *
 * A probe is a unit complement direction `z = Σ_j w_j d_j / ‖Σ_j w_j d_j‖`; its measured slope
 * must equal `aᵀv` with `a = w / ‖…‖` (zero at pivots). If coordinate j of v is off by `e`
 * (for output o: `e_o`), every probe's residual is `a_t[j]·e_o`: the residuals of all probes
 * and outputs are proportional to the column `a_·[j]`, which identifies j when there are at
 * least two probes and the error is the only one (sparse-error decoding with one error).
 */

/** Probe residuals `measured − predicted`, at `t * m + o`. */
export function probeResiduals(
  coefficients: readonly Float64Array[],
  slopes: Float64Array,
  v: Float64Array,
  n: number,
  m: number,
): Float64Array {
  const res = new Float64Array(coefficients.length * m);
  coefficients.forEach((a, t) => {
    for (let o = 0; o < m; o++) {
      let predicted = 0;
      const vo = o * n;
      for (let j = 0; j < n; j++) predicted += a[j] * v[vo + j];
      res[t * m + o] = slopes[t * m + o] - predicted;
    }
  });
  return res;
}

/** The coordinate that best explains the residuals as one error, and what is left unexplained. */
export interface SingleError {
  readonly coordinate: number;
  /** Root of the residual sum of squares left after removing the best single error. */
  readonly misfit: number;
}

/**
 * The coordinate j whose column `a_·[j]` best explains all residuals (least squares over the
 * probes and outputs jointly), skipping `exclude` (coordinates already re-measured); O(c·n·m).
 * Needs at least two probes to be meaningful.
 */
export function locateSingleError(
  coefficients: readonly Float64Array[],
  residuals: Float64Array,
  n: number,
  m: number,
  exclude: ReadonlySet<number> = new Set(),
): SingleError {
  const c = coefficients.length;
  let total = 0;
  for (const r of residuals) total += r * r;
  let best = -1;
  let bestExplained = -1;
  for (let j = 0; j < n; j++) {
    let aa = 0;
    for (let t = 0; t < c; t++) aa += coefficients[t][j] ** 2;
    if (aa === 0 || exclude.has(j)) continue;
    // explained sum of squares: Σ_o (Σ_t a_tj ρ_to)² / Σ_t a_tj²
    let explained = 0;
    for (let o = 0; o < m; o++) {
      let ar = 0;
      for (let t = 0; t < c; t++) ar += coefficients[t][j] * residuals[t * m + o];
      explained += (ar * ar) / aa;
    }
    if (explained > bestExplained) {
      bestExplained = explained;
      best = j;
    }
  }
  return { coordinate: best, misfit: Math.sqrt(Math.max(0, total - bestExplained)) };
}
