/** gᵀ ∂f/∂z by central differences, and how much of it rounding alone may account for. */
export interface CentralDifference {
  /** (gᵀf(z + h·e_l) − gᵀf(z − h·e_l)) / 2h for each coordinate l. */
  readonly vjp: Float64Array;
  /**
   * Per coordinate, a bound on the rounding error of that quotient: each f_j is taken to be off
   * by up to 4 ulps (ε·|f_j| each), so Σ_j |g_j|·4ε·(|f_j⁺| + |f_j⁻|) / 2h. The truncation error,
   * O(h²·f'''), is the caller's to bound.
   */
  readonly roundingBound: Float64Array;
}

/** The reference that reverse-mode code is checked against. */
export function centralDifferenceVjp(
  f: (z: Float64Array) => Float64Array,
  z: Float64Array,
  g: Float64Array,
  step: number,
): CentralDifference {
  const vjp = new Float64Array(z.length);
  const roundingBound = new Float64Array(z.length);
  z.forEach((_, l) => {
    const up = z.slice();
    const down = z.slice();
    up[l] += step;
    down[l] -= step;
    const [fUp, fDown] = [f(up), f(down)];
    let sum = 0;
    let bound = 0;
    for (let j = 0; j < g.length; j++) {
      sum += g[j] * (fUp[j] - fDown[j]);
      bound += Math.abs(g[j]) * 4 * Number.EPSILON * (Math.abs(fUp[j]) + Math.abs(fDown[j]));
    }
    vjp[l] = sum / (2 * step);
    roundingBound[l] = bound / (2 * step);
  });
  return { vjp, roundingBound };
}
