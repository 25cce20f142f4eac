import { AccessOracle, type AccessLevel } from './access.js';
import { BudgetOracle } from './budgetOracle.js';
import { CountingOracle } from './countingOracle.js';
import type { Oracle } from './oracle.js';

/** The only way algorithms reach a model: access level over budget over counter over model. */
export interface OracleStack {
  /** What the algorithm gets. */
  readonly oracle: Oracle;
  /** Exact count of rows that reached the model. */
  readonly counter: CountingOracle;
  /** Present when a budget was set. */
  readonly budget: BudgetOracle | null;
}

export function buildOracleStack(
  model: Oracle,
  access: AccessLevel,
  budget: number | null,
): OracleStack {
  const counter = new CountingOracle(model);
  const budgeted = budget === null ? null : new BudgetOracle(counter, budget);
  const oracle = new AccessOracle(budgeted ?? counter, access);
  return { oracle, counter, budget: budgeted };
}
