/**
 * Insert `value` into the ascending array `values` after any equal entries (binary search,
 * then one splice): a running median without re-sorting. Returns the index it took, for
 * arrays kept in the same order beside it.
 */
export function insertSorted(values: number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  values.splice(lo, 0, value);
  return lo;
}
