import { matmul } from '../linalg/matrix.js';
import { applyHead, headVjp } from './head.js';
import { layerNormInPlace, layerNormVjp } from './layerNorm.js';
import { activationDerivative, activationFn, dense, type Network } from './network.js';

/**
 * The exact float64 gradient ∇ₓ (cᵀ f(x)) of a network's scores f at one input row `x`, for a
 * cotangent `c` on the m scores (a unit vector picks one score's gradient), by reverse mode.
 * At a relu or leaky kink it takes the left slope, as {@link activationDerivative} does.
 * The ground truth for the span: every such gradient lies in the row span of `layers[0]`.
 */
export function inputGradient(
  net: Network,
  x: Float64Array,
  cotangent: Float64Array,
): Float64Array {
  const act = activationFn(net.activation);
  const last = net.layers.length - 1;
  // forward, keeping each layer's pre-activation (layer 0's after its LayerNorm) and its input
  const pre: Float64Array[] = [];
  let firstRaw: Float64Array | null = null;
  let cur = x;
  net.layers.forEach((layer, li) => {
    const z = dense(layer, cur);
    if (li === 0 && net.layerNorm) {
      firstRaw = z.slice();
      layerNormInPlace(net.layerNorm, z);
    }
    pre.push(z);
    cur = li < last ? z.map(act) : z.slice();
  });
  const head = net.head ?? 'linear';
  let g = headVjp(head, applyHead(head, cur), cotangent);
  const dAct = activationDerivative(net.activation);
  for (let li = last; li >= 0; li--) {
    const z = pre[li];
    if (li < last) g = g.map((gi, i) => gi * dAct(z[i]));
    if (li === 0 && net.layerNorm && firstRaw) g = layerNormVjp(net.layerNorm, firstRaw, g);
    // gᵀ W: the cotangent on the layer's input
    g = matmul({ rows: 1, cols: g.length, data: g }, net.layers[li].weight).data;
  }
  return g;
}
