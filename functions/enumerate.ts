/**
 * Step 1 of a run: the clusters to audit (accounts × regions × EKS clusters), written to S3 as the
 * run's targets file, which the Distributed Map reads with its ItemReader. The state gets only
 * what is small: the run id, the keys and counts, and the Map's bounds.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type * as z from 'zod';
import { loadConfig } from '../src/config/config.js';
import { awsClientDefaults } from '../src/fleet/aws-clients.js';
import { MemberAccess } from '../src/fleet/member-access.js';
import { writeRunFiles } from '../src/fleet/run-files.js';
import { enumerateTargets, memberEnumerationClients } from '../src/fleet/targets.js';
import { enumerateEventSchema } from '../src/lambda/events.js';
import { parseEvent, publicErrors } from '../src/lambda/middleware.js';
import { mapResultsPrefix } from '../src/publish/layout.js';
import { S3Sink } from '../src/publish/sink.js';
import { runIdAt } from '../src/target/index.js';

const logger = new Logger();
const s3 = new S3Client(awsClientDefaults());

const lambdaHandler = async (event: z.infer<typeof enumerateEventSchema>) => {
  const config = loadConfig();
  const runId = event.runId ?? runIdAt(event.startedAt ? new Date(event.startedAt) : new Date());
  logger.appendKeys({ runId });
  const access = new MemberAccess(config);
  const enumeration = await enumerateTargets(config, memberEnumerationClients((accountId, region) => access.credentialsFor(accountId, region)));
  const files = await writeRunFiles(new S3Sink(s3, config.bucket, config.prefix), runId, enumeration);
  logger.info('targets enumerated', { clusters: enumeration.targets.length, unlisted: enumeration.failures.length, failures: enumeration.failures.slice(0, 20) });
  // Full object keys (with the bucket's prefix): the Map's ItemReader and ResultWriter take them as they are.
  return {
    runId,
    targets: { key: config.prefix + files.targets.key, count: files.targets.count },
    enumerationFailures: { key: config.prefix + files.enumerationFailures.key, count: files.enumerationFailures.count },
    // ResultWriter adds `/<map run id>/…` to its Prefix.
    mapResultsPrefix: config.prefix + mapResultsPrefix(runId).replace(/\/$/, ''),
    concurrency: config.concurrency,
    toleratedFailurePercentage: config.toleratedFailurePercentage,
  };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(publicErrors(logger))
  .use(parseEvent(enumerateEventSchema));
