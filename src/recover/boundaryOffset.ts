import { F32_OFFSET, type BoundarySettings } from './boundaryOptions.js';
import { restartBoundaryState, type BoundaryState } from './boundaryState.js';

/**
 * The offset of a model of unknown precision, adapted to its measured noise: a model served as
 * a `cmd:` box may compute in float32 without saying so, and at the default offset its rounding
 * makes every ratio noise (a ratio errs by the flip band's width over δ).
 */

/**
 * Noise of one ratio, over a typical normal component, above which the default offset gives
 * way to {@link F32_OFFSET}. A direction of new share ~0.3 measured at that noise errs by
 * ~3e-3 rad, no better than a float32 model measured at F32_OFFSET (max 8e-3–1.7e-2 rad on an
 * n = 200 net, median 7.6e-4 on an n = 1536 one), so the longer offset loses nothing there. At
 * δ = 1e-5 float32 nets read 0.2 (ReLU n = 100) and 0.54 (ONNX n = 200, sigmoid head); every
 * point of float64 tanh, ReLU, sigmoid and GELU nets n = 100 read 0 (a level shows only above
 * 0.3 of the 2^-15 resolution: ~4e-6 of a component): over two decades of margin either side.
 */
export const OFFSET_SWITCH_NOISE = 1e-3;

/**
 * After a point is measured on a model of unknown precision (run with the default offset):
 * when the model's noise at the offset in use exceeds {@link OFFSET_SWITCH_NOISE}, the state of
 * a run that starts again at {@link F32_OFFSET}, the noisy directions and their noise and
 * curvature readings discarded (the points and queries they cost stay counted); otherwise the
 * state as it was.
 */
export function adaptOffset(
  s: BoundarySettings,
  state: BoundaryState,
  pointScale: number,
): BoundaryState {
  if (!s.adaptOffset || state.offsetSwitched || state.noise.points === 0) return state;
  if (!(state.noise.relative(state.offset * pointScale) > OFFSET_SWITCH_NOISE)) return state;
  return restartBoundaryState(state, F32_OFFSET);
}
