/**
 * When to try an HTTP request again, and how long to wait first: pure functions, so the
 * policy is tested without a network.
 */

/** Attempts per request, the first included: rides out a rolling restart or a short overload. */
export const DEFAULT_ATTEMPTS = 6;
/** First backoff; each retry doubles it (0.25, 0.5, 1, 2, 4 s: under 8 s in all). */
export const FIRST_BACKOFF_SECONDS = 0.25;
/**
 * Longest wait before one retry, `Retry-After` included: a server asking for more is treated
 * as asking for this much, so one request never stalls a run for long unnoticed.
 */
export const MAX_BACKOFF_SECONDS = 30;

/** HTTP statuses worth retrying: timeout, too many requests, and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Seconds to wait before retry number `retry` (1 for the first retry): exponential backoff,
 * or the server's `Retry-After` (seconds or an HTTP date) when it gives one; at most
 * {@link MAX_BACKOFF_SECONDS}. Deterministic: a run's timing does not depend on chance.
 */
export function backoffSeconds(retry: number, retryAfter: string | null, nowMs: number): number {
  const asked = retryAfter === null ? null : parseRetryAfter(retryAfter, nowMs);
  const seconds = asked ?? FIRST_BACKOFF_SECONDS * 2 ** (retry - 1);
  return Math.min(MAX_BACKOFF_SECONDS, Math.max(0, seconds));
}

/** `Retry-After` in seconds from now (delta-seconds or an HTTP date), or null if unreadable. */
export function parseRetryAfter(value: string, nowMs: number): number | null {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, (date - nowMs) / 1000);
}
