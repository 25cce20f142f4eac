import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exactGradientRank,
  liveFirstLayer,
  liveFirstUnits,
} from '../../src/experiments/recoverableRank.js';
import type { Network } from '../../src/nets/network.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { Rng } from '../../src/random/rng.js';

const net = (extra: { deadUnits?: number; hiddenWidths?: number[] } = {}, seed = 3): Network =>
  randomNetwork(
    {
      inputDim: 30,
      firstWidth: 10,
      hiddenWidths: [16],
      outputs: 1,
      activation: 'relu',
      bias: true,
      ...extra,
    },
    new Rng(seed),
  );

/** Zero one weight matrix entry-wise where `keep` is false (a hand-made wiring). */
function cut(n: Network, layer: number, keep: (row: number, col: number) => boolean): Network {
  const w = n.layers[layer].weight;
  const data = w.data.map((v, i) => (keep(Math.floor(i / w.cols), i % w.cols) ? v : 0));
  const layers = n.layers.map((l, i) => (i === layer ? { ...l, weight: { ...w, data } } : l));
  return { ...n, layers };
}

describe('liveFirstUnits', () => {
  it('marks exactly the dead units of randomNetwork as unable to reach the output', () => {
    const live = liveFirstUnits(net({ deadUnits: 4 }));
    assert.equal(live.filter((x) => !x).length, 4);
    assert.equal(liveFirstLayer(net({ deadUnits: 4 })).rows, 6);
  });

  it('follows paths through later layers: a unit feeding only dead units is dead too', () => {
    // layer 1 unit j feeds only hidden unit j % 16; hidden units 0..7 feed nothing onward
    const wired = cut(
      cut(net(), 1, (r, c) => r === c % 16),
      2,
      (_, c) => c >= 8,
    );
    const live = liveFirstUnits(wired);
    assert.deepEqual(
      live,
      Array.from({ length: 10 }, (_, j) => j % 16 >= 8),
    );
  });
});

describe('exactGradientRank', () => {
  it('sees the whole first layer of a wide net, and k − D with D dead units', () => {
    assert.equal(exactGradientRank(net(), 100, 1, 10, new Rng(1)), 10);
    assert.equal(exactGradientRank(net({ deadUnits: 3 }), 100, 1, 10, new Rng(1)), 7);
  });

  it('sees nothing of a net that is constant: a width-1 ReLU layer whose weight is negative', () => {
    // h ≥ 0 after a ReLU; a single unit with negative weight on it is off at every input
    const thin = net({ hiddenWidths: [4, 1] });
    const w = thin.layers[2].weight;
    const off: Network = {
      ...thin,
      layers: thin.layers.map((l, i) =>
        i === 2 ? { weight: { ...w, data: w.data.map((v) => -Math.abs(v)) }, bias: null } : l,
      ),
    };
    assert.equal(exactGradientRank(off, 200, 1, 10, new Rng(1)), 0);
  });

  it('stops at the bound it is given', () => {
    assert.equal(exactGradientRank(net(), 100, 1, 4, new Rng(1)), 4);
  });
});
