import { DEFAULT_CERTIFY_MOVES } from '../recover/certificate.js';

/** Every default value of the CLI, in one place: the help text and the parsers read these. */
export const DEFAULTS = {
  access: 'scores',
  method: 'auto',
  seed: 1,
  outDir: 'spanrec-out',
  certifyMoves: DEFAULT_CERTIFY_MOVES,
  makeNet: {
    widths: '64,32',
    act: 'relu',
    outputs: 1,
    dtype: 'f64',
    seed: 1,
    head: 'linear',
    influenceSpread: 1,
  },
} as const;
