import type { MethodOption } from './method.js';

/**
 * Options that mean the same for every deflating method (adaptive, boundary): declared once, so
 * the CLI's one flag has one meaning, range and help text.
 */
export const CANDIDATES_OPTION: MethodOption<'candidates'> = {
  key: 'candidates',
  placeholder: 'n',
  kind: 'integer',
  min: 1,
  max: 64,
  description: 'candidate points probed per point measured (the most informative is measured)',
};

export const NO_NEWS_RUN_OPTION: MethodOption<'noNewsRun'> = {
  key: 'noNewsRun',
  placeholder: 'n',
  kind: 'integer',
  min: 1,
  description: 'points in a row without news that end the run',
};

export const REFINE_FACTOR_OPTION: MethodOption<'refineFactor'> = {
  key: 'refineFactor',
  placeholder: 'f',
  kind: 'nonNegative',
  description:
    'rows in all as a multiple of the floor k(n−k)+k, pooling precise gradients (normals, for bits and labels) after the span is found (0: off; default 2 for float32 scores; for bits and labels 58 on a noisy model when that pays for k normals; 0 for float64)',
};
