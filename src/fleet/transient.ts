/**
 * Which failures are worth another try: throttling, timeouts, a service's 5xx, a dropped
 * connection. The Lambda handlers raise these as `TransientError`, the one error name the state
 * machine retries (serverless.yml); anything else (access denied, a bad request) is final.
 */

/** Error names AWS services and the SDK give transient failures. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'EC2ThrottledException',
  'SlowDown',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'BandwidthLimitExceeded',
  'TransientError',
]);

/** Node errno codes of a connection that failed on the way, not by refusal of the request. */
const TRANSIENT_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** True when trying again later may succeed. */
export function isTransient(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const e = error as ErrorLike;
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && (TRANSIENT_ERRNO.has(e.code) || TRANSIENT_NAMES.has(e.code))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return isTransient(e.cause, depth + 1);
}

/** A failure the state machine should retry; its message names the original error. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}
