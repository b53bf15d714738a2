/**
 * Failures are data: any error from an AWS or Kubernetes call becomes one `{ source, code, message }`
 * entry in the snapshot's `errors`, and the list it would have filled stays `null`.
 */
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import type { CollectionError } from '../snapshot/schema.js';

/** EKS DescribeCluster failed, so there is no cluster to collect (no endpoint, no VPC). */
export class ClusterUnavailableError extends Error {
  override readonly name = 'ClusterUnavailableError';
  constructor(
    readonly clusterName: string,
    readonly region: string,
    readonly code: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot describe EKS cluster ${clusterName} in ${region}: ${code}: ${detail}`, options);
  }
}

const MAX_MESSAGE = 600;

/** One line, no stack, bounded length. */
export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** The reason phrase of an HTTP status as Kubernetes names it in `Status.reason`. */
const KUBE_REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The `message` of a Kubernetes `Status` body, or the raw body when it is not one. */
function kubeStatusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string' || !body) return undefined;
  try {
    const status = JSON.parse(body) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body;
}

/** A read that failed outside any API's own errors (no connection, timeout, no endpoint) or never ran because a step before it failed, with a code. */
export class ReadError extends Error {
  override readonly name = 'ReadError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface SdkLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  /** Attempts the Kubernetes client made (set when it gave up after retrying). */
  attempts?: number;
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

/** Maps any failure to `{ code, message }`: SDK errors by name, Kubernetes `ApiException`s by HTTP status, network errors by errno. */
export function describeFailure(error: unknown): { code: string; message: string } {
  if (typeof error !== 'object' || error === null) return { code: 'Error', message: oneLine(String(error)) };
  const e = error as SdkLikeError;
  const attempts = e.attempts ?? e.$metadata?.attempts;
  const after = attempts && attempts > 1 ? ` (after ${attempts} attempts)` : '';
  if (error instanceof ApiException) {
    const code = KUBE_REASONS[error.code] ?? `HTTP${error.code}`;
    return { code, message: oneLine(`${kubeStatusMessage(error.body) ?? `HTTP status ${error.code}`}${after}`) };
  }
  if (error instanceof ReadError) return { code: error.code, message: oneLine(`${error.message}${after}`) };
  // AWS SDK v3 errors carry the service's error code as `name` (UnauthorizedOperation,
  // AccessDeniedException, ThrottlingException, …); Node network errors carry an errno `code`.
  const generic = !e.name || e.name === 'Error' || e.name === 'FetchError';
  const code = (generic ? (e.code ?? e.Code) : e.name) ?? e.name ?? 'Error';
  return { code: String(code), message: oneLine(`${e.message || String(code)}${after}`) };
}

/** One source finished: what the CLI shows as progress. */
export interface SourceSettled {
  source: string;
  ok: boolean;
  /** Objects read (on success). */
  count?: number;
  /** The error code (on failure). */
  code?: string;
}

/**
 * Races `work` against the collection deadline: past it, the read fails with `DeadlineExceeded`
 * at once (its calls, aborted by the same signal, stop in the background), and a read not yet
 * started is not started.
 */
export function withinDeadline<T>(deadline: AbortSignal | undefined, start: () => Promise<T>): Promise<T> {
  if (!deadline) return start();
  const exceeded = () => new ReadError('DeadlineExceeded', String(deadline.reason ?? 'the collection deadline passed before this read finished'));
  if (deadline.aborted) return Promise.reject(exceeded());
  const work = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(exceeded());
    deadline.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        deadline.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        deadline.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Collects the errors of one collection run and reports each source as it settles. */
export class ErrorLog {
  readonly entries: CollectionError[] = [];

  constructor(
    private readonly onSettled: (event: SourceSettled) => void = () => {},
    /** Aborted at the collection deadline: every read still running then fails as `DeadlineExceeded`. */
    private readonly deadline?: AbortSignal,
  ) {}

  add(source: string, error: unknown): void {
    const entry = { source, ...describeFailure(error) };
    this.entries.push(entry);
    this.onSettled({ source, ok: false, code: entry.code });
  }

  /** Runs one source's calls; any failure is recorded under `source` and yields `null`. */
  async attempt<T>(source: string, run: () => Promise<T>): Promise<T | null> {
    let result: T;
    try {
      result = await withinDeadline(this.deadline, run);
    } catch (error) {
      this.add(source, error);
      return null;
    }
    this.onSettled({ source, ok: true, count: Array.isArray(result) ? result.length : result == null ? 0 : 1 });
    return result;
  }

  /** The entries in a stable order (by source, then code), whatever order the calls finished in. */
  sorted(): CollectionError[] {
    return [...this.entries].sort((a, b) => (a.source === b.source ? a.code.localeCompare(b.code) : a.source.localeCompare(b.source)));
  }
}
