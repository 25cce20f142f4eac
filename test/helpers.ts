import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Matrix } from '../src/linalg/matrix.js';
import { NetworkOracle } from '../src/oracle/networkOracle.js';
import { randomNetwork, type RandomNetworkOptions } from '../src/nets/randomNetwork.js';
import { Rng } from '../src/random/rng.js';

/** A temporary directory removed when the test file finishes. */
export function tempDir(prefix = 'spanrec-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A float64 in-process reference network oracle with known first layer. */
export function referenceOracle(
  opts: Partial<RandomNetworkOptions> & { inputDim: number; firstWidth: number },
  seed = 7,
): NetworkOracle {
  const net = randomNetwork(
    {
      hiddenWidths: [32, 16],
      outputs: 1,
      activation: 'relu',
      bias: true,
      ...opts,
    },
    new Rng(seed),
  );
  return new NetworkOracle(net);
}

export function firstLayer(oracle: NetworkOracle): Matrix {
  return oracle.network.layers[0].weight;
}
