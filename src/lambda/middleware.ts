/**
 * The handlers' own middy middlewares, in middy's shape (a factory returning named before/onError):
 * - `parseEvent(schema)` validates the event with zod and replaces it with the parsed value;
 * - `publicErrors(logger)` logs the full error and lets only `Type: message` leave the function,
 *   so a malformed event gets a clear validation error and nobody gets a stack trace.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type * as z from 'zod';

export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
}

export function parseEvent<S extends z.ZodType>(schema: S): middy.MiddlewareObj<unknown, unknown, Error> {
  const parseEventBefore: middy.MiddlewareFn<unknown, unknown, Error> = (request) => {
    const result = schema.safeParse(request.event);
    if (!result.success) {
      const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
      throw new EventValidationError(`invalid event: ${problems.join('; ')}`);
    }
    request.event = result.data;
  };
  return { before: parseEventBefore };
}

export function publicErrors(logger: Logger): middy.MiddlewareObj<unknown, unknown, Error> {
  const publicErrorsOnError: middy.MiddlewareFn<unknown, unknown, Error> = (request) => {
    const error = request.error;
    if (!error) return;
    logger.error(error.message, error);
    const exposed = new Error(error.message.split('\n').join('; '));
    exposed.name = error.name;
    // The runtime returns `stack` to the caller: keep it to the one line a caller can act on.
    exposed.stack = `${exposed.name}: ${exposed.message}`;
    request.error = exposed;
  };
  return { onError: publicErrorsOnError };
}
