/** What the Lambda runtime hands a handler besides the event, for calling handlers in-process. */
import type { Context } from 'aws-lambda';

export const HUB_ACCOUNT_ID = '000011112222';

export function lambdaContext(functionName: string, options: { accountId?: string; region?: string } = {}): Context {
  const region = options.region ?? 'eu-west-2';
  const fail = () => {
    throw new Error('handlers return promises; the callback API is not used');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${options.accountId ?? HUB_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `${functionName}-${Math.random().toString(16).slice(2, 10)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 900_000,
    done: fail,
    fail,
    succeed: fail,
  };
}
