/**
 * Transient failures are retried by the state machine, others are not: the handlers raise
 * throttling, timeouts, 5xx answers and dropped connections as `TransientError` (the name
 * serverless.yml's Retry lists), keeping the original error's name in the message.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { isTransient, TransientError } from '../src/fleet/transient.js';
import { publicErrors } from '../src/lambda/middleware.js';

const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} happened`), { name, ...extra });

describe('isTransient', () => {
  it.each([
    ['an SDK timeout', named('TimeoutError')],
    ['throttling', named('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['S3 asking to slow down', named('SlowDown', { $metadata: { httpStatusCode: 503 } })],
    ['any 5xx', named('SomethingNew', { $metadata: { httpStatusCode: 502 } })],
    ['an error the SDK marks retryable', named('Odd', { $retryable: { throttling: false } })],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a transient cause', new Error('publishing failed', { cause: named('InternalError') })],
  ])('%s is transient', (_what, error) => expect(isTransient(error)).toBe(true));

  it.each([
    ['access denied', named('AccessDenied', { $metadata: { httpStatusCode: 403 } })],
    ['no such cluster', named('ResourceNotFoundException', { $metadata: { httpStatusCode: 404 } })],
    ['a bad event', named('EventValidationError')],
    ['not an error', 'oops'],
  ])('%s is not', (_what, error) => expect(isTransient(error)).toBe(false));
});

describe('the handlers\' public errors', () => {
  const handler = (error: Error) =>
    middy(() => Promise.reject(error))
      .use(publicErrors(new Logger({ logLevel: 'SILENT' })))
      .bind(null);

  it('raise a transient failure as TransientError, naming the original', async () => {
    const raised = await handler(named('SlowDown', { $metadata: { httpStatusCode: 503 } }))({}, {} as never).catch((e: unknown) => e as Error);
    expect(raised).toMatchObject({ name: 'TransientError', message: 'SlowDown: SlowDown happened', stack: 'TransientError: SlowDown: SlowDown happened' });
  });

  it('leave other errors, and a TransientError raised on purpose, as they are', async () => {
    expect(await handler(named('AccessDenied', { $metadata: { httpStatusCode: 403 } }))({}, {} as never).catch((e: unknown) => e as Error)).toMatchObject({ name: 'AccessDenied' });
    expect(await handler(new TransientError('reports not published: InternalError: x'))({}, {} as never).catch((e: unknown) => e as Error)).toMatchObject({
      name: 'TransientError',
      message: 'reports not published: InternalError: x',
    });
  });
});
