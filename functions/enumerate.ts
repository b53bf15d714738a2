/** Step 1 of a run: the clusters to audit (accounts × regions × EKS clusters). */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type * as z from 'zod';
import { loadConfig } from '../src/config/config.js';
import { MemberAccess } from '../src/fleet/member-access.js';
import { enumerateTargets, memberEnumerationClients } from '../src/fleet/targets.js';
import { enumerateEventSchema } from '../src/lambda/events.js';
import { parseEvent, publicErrors } from '../src/lambda/middleware.js';
import { runIdAt } from '../src/target/index.js';

const logger = new Logger();

const lambdaHandler = async (event: z.infer<typeof enumerateEventSchema>) => {
  const config = loadConfig();
  const runId = event.runId ?? runIdAt(event.startedAt ? new Date(event.startedAt) : new Date());
  logger.appendKeys({ runId });
  const access = new MemberAccess(config);
  const enumeration = await enumerateTargets(config, memberEnumerationClients((accountId, region) => access.credentialsFor(accountId, region)));
  logger.info('targets enumerated', { clusters: enumeration.targets.length, failures: enumeration.failures });
  return { runId, targets: enumeration.targets, failures: enumeration.failures };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(publicErrors(logger))
  .use(parseEvent(enumerateEventSchema));
