/** Step 3 of a run: the fleet page with the diff against the previous run, latest/, and the email. */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import middy from '@middy/core';
import { latestFleetUrl, loadConfig, objectUrl } from '../src/config/config.js';
import { awsClientDefaults } from '../src/fleet/aws-clients.js';
import { MemberAccess } from '../src/fleet/member-access.js';
import { securityHubThroughMemberRole } from '../src/fleet/member-securityhub.js';
import { clusterKey, isMapManifestKey } from '../src/publish/layout.js';
import { outcomesFromMapRun } from '../src/fleet/map-results.js';
import { readEnumerationFailures } from '../src/fleet/run-files.js';
import { summarizeRun } from '../src/fleet/summarize.js';
import { suppressionsReader } from '../src/fleet/suppressions.js';
import { summarizeEventSchema, type SummarizeEvent } from '../src/lambda/events.js';
import { EventValidationError, parseEvent, publicErrors } from '../src/lambda/middleware.js';
import { SesEmailNotifier } from '../src/notify/email.js';
import { S3Sink } from '../src/publish/sink.js';

const logger = new Logger();
const s3 = new S3Client(awsClientDefaults());
const ses = new SESv2Client(awsClientDefaults());
const eventBridge = new EventBridgeClient(awsClientDefaults());

const lambdaHandler = async (event: SummarizeEvent) => {
  const config = loadConfig();
  logger.appendKeys({ runId: event.runId });
  const sink = new S3Sink(s3, config.bucket, config.prefix);
  // The Map's results: only this run's, in this deployment's bucket and prefix.
  const { Bucket, Key } = event.mapResults;
  if (Bucket !== config.bucket || !Key.startsWith(config.prefix) || !isMapManifestKey(event.runId, Key.slice(config.prefix.length))) {
    throw new EventValidationError(`invalid event: mapResults: s3://${Bucket}/${Key} is not a manifest of run ${event.runId}'s Map in s3://${config.bucket}/${config.prefix}`);
  }
  const region = await s3.config.region();
  const outcomes = await outcomesFromMapRun(sink, event.runId, Key.slice(config.prefix.length), config.prefix);
  const enumerationFailures = await readEnumerationFailures(sink, event.runId);
  logger.info('map results read', { clusters: outcomes.length, failed: outcomes.filter((o) => o.status === 'failed').length, unlisted: enumerationFailures.length });
  const summary = await summarizeRun(event.runId, outcomes, enumerationFailures, {
    sink,
    history: { suppressions: suppressionsReader(sink, config.suppressionsKey) },
    exports: {
      reportUrl: (target) => objectUrl(config, region, clusterKey(event.runId, target, 'report.html')),
      ...(config.securityHub ? { securityHub: { clientFor: securityHubThroughMemberRole(new MemberAccess(config)) } } : {}),
      ...(config.eventBus ? { events: { client: eventBridge, busName: config.eventBus } } : {}),
    },
    ...(config.recipients.length && config.sender ? { notifier: new SesEmailNotifier(ses, config.sender, config.recipients) } : {}),
    fleetUrl: latestFleetUrl(config, region),
    maskEmail: config.maskEmail,
    now: () => new Date(),
  });
  if (summary.exports.securityHub && 'error' in summary.exports.securityHub) logger.error('Security Hub export failed', { error: summary.exports.securityHub.error });
  if (summary.exports.event && 'error' in summary.exports.event) logger.error('run-completed event not sent', { error: summary.exports.event.error });
  logger.info('run summarised', { ...summary });
  return summary;
};

export const handler = middy(lambdaHandler)
  .use(injectLambdaContext(logger))
  .use(publicErrors(logger))
  .use(parseEvent(summarizeEventSchema));
