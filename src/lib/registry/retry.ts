// When to try a registry request again, and after how long: 429 and 5xx answers and broken
// connections are retried with exponential back-off (Retry-After honoured, capped); other
// answers and unknown hosts are final.

export interface RetryPolicy {
  // Tries in all, the first included.
  attempts: number;
  // Delay before the second try; doubled for each later one.
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 8_000 };

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

export function retryableStatus(status: number): boolean {
  return RETRY_STATUS.has(status);
}

// Network error codes worth another try (a reset, a timeout); DNS failures and refusals are not.
const RETRY_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

// The errno-like code of a fetch failure: undici wraps it as `TypeError: fetch failed` + cause.
export function networkCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

export function retryableError(err: unknown): boolean {
  const code = networkCode(err);
  if (code !== undefined) return RETRY_CODES.has(code);
  // A body cut short surfaces as "terminated" / "other side closed" without a code.
  const msg = err instanceof Error ? `${err.message} ${String((err.cause as Error | undefined)?.message ?? '')}` : String(err);
  return /terminated|other side closed|socket hang up|premature close/i.test(msg);
}

// `Retry-After: 3` or an HTTP date, in ms from `now`; undefined when absent or unparsable.
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

// Delay before try `attempt + 1` (attempt counts from 1).
export function backoffMs(policy: RetryPolicy, attempt: number, retryAfter?: number): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return retryAfter !== undefined ? Math.min(policy.maxMs, Math.max(retryAfter, exp)) : exp;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
