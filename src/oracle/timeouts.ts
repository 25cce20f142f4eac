/**
 * Seconds a remote or subprocess model may take to answer one request before the run gives up
 * on it (`--timeout`). Two minutes covers a cold start of a large model on a busy machine; a
 * model that needs longer says so with `--timeout`, and one that stalls costs at most this.
 */
export const DEFAULT_TIMEOUT_SECONDS = 120;
