/**
 * The handlers' own middy middlewares, in middy's shape (a factory returning named before/onError):
 * - `parseEvent(schema)` validates the event with zod and replaces it with the parsed value;
 * - `publicErrors(logger)` logs the full error and lets only `Type: message` leave the function,
 *   so a malformed event gets a clear validation error and nobody gets a stack trace. A transient
 *   failure (throttling, a timeout, a 5xx) leaves as `TransientError`, the name the state machine
 *   retries; its message keeps the original name.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type * as z from 'zod';
import { isTransient } from '../fleet/transient.js';

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
}

/**
 * One line per problem, `path: message`. For an event that matches none of a union's shapes, the
 * problems of the shape it came closest to (fewest problems): "clusterName: …", not "Invalid input".
 */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      return describeIssues(closest, path);
    }
    return [`${path.map(String).join('.') || '(event)'}: ${issue.message}`];
  });
}

export function parseEvent<S extends z.ZodType>(schema: S): middy.MiddlewareObj<unknown, unknown, Error> {
  const parseEventBefore: middy.MiddlewareFn<unknown, unknown, Error> = (request) => {
    const result = schema.safeParse(request.event);
    if (!result.success) throw new EventValidationError(`invalid event: ${describeIssues(result.error.issues).join('; ')}`);
    request.event = result.data;
  };
  return { before: parseEventBefore };
}

export function publicErrors(logger: Logger): middy.MiddlewareObj<unknown, unknown, Error> {
  const publicErrorsOnError: middy.MiddlewareFn<unknown, unknown, Error> = (request) => {
    const error = request.error;
    if (!error) return;
    logger.error(error.message, error);
    const transient = isTransient(error) && error.name !== 'TransientError';
    const exposed = new Error(`${transient ? `${error.name}: ` : ''}${error.message.split('\n').join('; ')}`);
    exposed.name = transient ? 'TransientError' : error.name;
    // The runtime returns `stack` to the caller: keep it to the one line a caller can act on.
    exposed.stack = `${exposed.name}: ${exposed.message}`;
    request.error = exposed;
  };
  return { onError: publicErrorsOnError };
}
