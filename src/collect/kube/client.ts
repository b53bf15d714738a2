/**
 * The Kubernetes side's only door: GETs against the cluster endpoint through @kubernetes/client-node's
 * HTTP layer (its `RequestContext`, its fetch library, its `ApiException`), with the endpoint, the
 * CA from DescribeCluster and the EKS token held in memory only — no kubeconfig is written or read.
 *
 * Bodies are returned as the API server sent them. The generated typed APIs (CoreV1Api, …) are not
 * used because they deserialise into model classes: unknown fields are dropped and timestamps become
 * `Date`s, and the snapshot contract keeps objects exactly as served. Failures are client-node's
 * `ApiException` (`code` = HTTP status, `body` = raw text), as the generated APIs throw.
 *
 * The modules are imported by path, not from the package index: the index (and `KubeConfig`, whose
 * only work here would be one `Authorization: Bearer` header) loads every generated API and model
 * and the exec/OIDC/cloud auth plugins — about 0.9 MB of the auditCluster Lambda's bundle and its
 * cold start. The connection pool is ours: one keep-alive agent trusting the cluster CA is shared by
 * every request of a collection.
 */
import { Agent } from 'node:https';
import { createSecureContext } from 'node:tls';
import { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
import { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
import { IsomorphicFetchHttpLibrary } from '@kubernetes/client-node/dist/gen/http/isomorphic-fetch.js';
import pLimit from 'p-limit';
import { ReadError } from '../errors.js';

export type Query = Record<string, string | number | undefined>;

export interface KubeApi {
  /** GETs `path` (e.g. `/api/v1/nodes`) and resolves its parsed JSON body; rejects with `ApiException` or `ReadError`. */
  get(path: string, query?: Query): Promise<unknown>;
  /** Closes idle connections (the collector calls it when done). */
  close?(): void;
}

export interface KubeConnection {
  /** The cluster endpoint, `https://…` (EKS DescribeCluster `endpoint`). */
  server: string;
  /** Base64 PEM of the cluster CA (EKS DescribeCluster `certificateAuthority.data`). */
  caData: string;
  /** The bearer token (an EKS token). */
  token: string;
}

export interface KubeClientOptions {
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
  /** Attempts for throttled (429) and transient (5xx, reset) failures; default 3. */
  maxAttempts?: number;
  /** Base delay of the exponential backoff between attempts; default 250 ms. */
  retryBaseMs?: number;
  /** Requests in flight at once (the rest wait their turn); default 6. */
  maxInFlight?: number;
  /** Aborts every request in flight (the collection deadline). */
  signal?: AbortSignal;
}

const RETRIED_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRIED_ERRNO = new Set(['ECONNRESET', 'EPIPE', 'EAI_AGAIN']);
const MAX_RETRY_AFTER_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Node errno codes hide in node-fetch's FetchError (`code`/`errno`) or its `cause`. */
function errnoOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; errno?: unknown; cause?: { code?: unknown } };
  for (const value of [e?.code, e?.errno, e?.cause?.code]) if (typeof value === 'string') return value;
  return undefined;
}

export function createKubeApi(connection: KubeConnection, options: KubeClientOptions = {}): KubeApi {
  const http = new IsomorphicFetchHttpLibrary();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 250;
  const base = connection.server.replace(/\/+$/, '');
  // One TLS context for the cluster's connections: given only `ca`, Node builds a new context (a
  // copy of the whole trust store) for every connection.
  const secureContext = createSecureContext({ ca: Buffer.from(connection.caData, 'base64') });
  // A few keep-alive connections, reused: the ~20 lists of a collection would otherwise each open
  // a connection of their own (a TLS handshake apiece, the largest CPU cost of a fleet run). The
  // queue is ours, not the agent's: with node-fetch, requests the agent had to queue for a socket
  // failed by the thousand in the fleet benchmark, so the agent is given room never to queue (a
  // socket is returned to it a moment after its response has been read).
  const maxInFlight = options.maxInFlight ?? 6;
  const inFlight = pLimit(maxInFlight);
  const agent = new Agent({ keepAlive: true, maxSockets: maxInFlight * 2, secureContext });

  async function once(url: string): Promise<unknown> {
    const context = new RequestContext(url, HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('Authorization', `Bearer ${connection.token}`);
    context.setAgent(agent);
    context.setSignal(options.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.signal]) : AbortSignal.timeout(timeoutMs));
    let response;
    try {
      response = await http.send(context).toPromise();
    } catch (error) {
      if ((error as Error)?.name === 'AbortError') {
        if (options.signal?.aborted) throw new ReadError('DeadlineExceeded', `GET ${url}: stopped at the collection deadline`, { cause: error });
        throw new ReadError('TimeoutError', `GET ${url}: no response within ${timeoutMs} ms`, { cause: error });
      }
      const code = errnoOf(error) ?? 'RequestError';
      // node-fetch's message already names the URL: "request to https://… failed, reason: connect ECONNREFUSED …".
      throw new ReadError(code, (error as Error)?.message ?? `GET ${url} failed`, { cause: error });
    }
    const body = await response.body.text();
    if (response.httpStatusCode >= 400) {
      throw new ApiException(response.httpStatusCode, `HTTP-Code: ${response.httpStatusCode}\nMessage: GET ${url}`, body, response.headers);
    }
    return JSON.parse(body) as unknown;
  }

  return {
    close: () => agent.destroy(),
    async get(path, query = {}) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      const url = `${base}${path}${params.size ? `?${params.toString()}` : ''}`;
      for (let attempt = 1; ; attempt++) {
        try {
          return await inFlight(() => once(url));
        } catch (error) {
          const status = error instanceof ApiException ? error.code : undefined;
          const retryable = status !== undefined ? RETRIED_STATUS.has(status) : RETRIED_ERRNO.has(errnoOf(error) ?? '');
          if (!retryable || attempt >= maxAttempts || options.signal?.aborted) {
            if (attempt > 1 && typeof error === 'object' && error !== null) Object.assign(error, { attempts: attempt });
            throw error;
          }
          const retryAfter = error instanceof ApiException ? Number((error.headers as Record<string, string>)['retry-after']) * 1000 : NaN;
          const backoff = retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
          await sleep(Number.isFinite(retryAfter) ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : backoff);
        }
      }
    },
  };
}
