/** Step 2 of a run (one Map item), and the on-demand audit of one cluster. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { loadConfig } from '../src/config/config.js';
import { auditCluster } from '../src/fleet/audit-cluster.js';
import { awsClientDefaults } from '../src/fleet/aws-clients.js';
import { MemberAccess } from '../src/fleet/member-access.js';
import { ledgerReader } from '../src/fleet/ledger.js';
import { collectThroughMemberRole } from '../src/fleet/member-collect.js';
import { suppressionsReader } from '../src/fleet/suppressions.js';
import { TransientError } from '../src/fleet/transient.js';
import { auditClusterEventSchema } from '../src/lambda/events.js';
import { EventValidationError, parseEvent, publicErrors } from '../src/lambda/middleware.js';
import { S3Sink } from '../src/publish/sink.js';
import { runIdAt } from '../src/target/index.js';

const logger = new Logger();
const s3 = new S3Client(awsClientDefaults());
// Read once per run by each container: the suppressions file and the findings ledger.
let readers: { key: string; suppressions: ReturnType<typeof suppressionsReader>; ledger: ReturnType<typeof ledgerReader> } | null = null;

/** Room left after collection to assess, render and publish before the Lambda's own timeout. */
const PUBLISH_MARGIN_MS = 90_000;

const lambdaHandler = async (event: z.infer<typeof auditClusterEventSchema>, context: Context) => {
  const config = loadConfig();
  const onDemand = !('target' in event);
  const requested = 'target' in event ? event.target : event;
  // On demand, the account defaults to the auditor's own, and must be one the deployment audits
  // (with `organization`, the role's IAM policy admits only the organization's accounts).
  const target = { ...requested, accountId: requested.accountId ?? context.invokedFunctionArn.split(':')[4]! };
  if (config.accounts !== 'organization' && !config.accounts.includes(target.accountId)) {
    throw new EventValidationError(`invalid event: accountId ${target.accountId} is not one of the accounts this deployment audits (${config.accounts.join(', ')})`);
  }
  const runId = event.runId ?? `on-demand-${runIdAt(new Date())}`;
  logger.appendKeys({ runId, cluster: `${target.accountId}/${target.region}/${target.clusterName}` });

  const sink = new S3Sink(s3, config.bucket, config.prefix);
  const key = `${config.bucket}/${config.prefix}/${config.suppressionsKey ?? ''}`;
  if (readers?.key !== key) readers = { key, suppressions: suppressionsReader(sink, config.suppressionsKey), ledger: ledgerReader(sink) };
  const { suppressions, ledger } = readers;
  // The collection ends in time to publish what it read, whatever the configured deadline.
  const deadlineMs = Math.max(5_000, Math.min(config.collectionDeadlineSeconds * 1000, context.getRemainingTimeInMillis() - PUBLISH_MARGIN_MS));
  const outcome = await auditCluster(runId, target, {
    sink,
    collect: collectThroughMemberRole(new MemberAccess(config), { deadlineMs }),
    suppressions: async (id) => {
      const loaded = await suppressions(id);
      if (loaded.error) logger.warn('suppressions not applied', { error: loaded.error });
      return loaded.entries;
    },
    ledger,
  });
  if (outcome.status === 'failed') {
    logger.warn('cluster not audited', { reason: outcome.reason, transient: outcome.transient ?? false });
    // A throttled or timed-out call, a 5xx while publishing: raised for the state machine to retry.
    if (outcome.transient && !onDemand) throw new TransientError(outcome.reason);
    return outcome;
  }
  logger.info('cluster audited', { grade: outcome.grade, score: outcome.score, critical: outcome.critical });
  // In a run the output is the Map's result for this cluster (its ResultWriter files, which summarize
  // reads; a child execution's output is capped at 256 KiB), and the reports are in S3: return only what it needs.
  if (!onDemand) return { status: outcome.status, target: outcome.target };

  const links = Object.fromEntries(
    await Promise.all(Object.entries(outcome.keys).map(async ([file, key]): Promise<[string, string]> => [file, await sink.link(key, config.linkExpirySeconds)])),
  );
  return { ...outcome, locations: Object.fromEntries(Object.entries(outcome.keys).map(([file, key]): [string, string] => [file, sink.locate(key)])), links };
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(publicErrors(logger))
  .use(parseEvent(auditClusterEventSchema));
