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
import { clusterKey } from '../src/publish/layout.js';
import { outcomesFromMap } from '../src/fleet/map-results.js';
import { summarizeRun } from '../src/fleet/summarize.js';
import { suppressionsReader } from '../src/fleet/suppressions.js';
import { summarizeEventSchema, type SummarizeEvent } from '../src/lambda/events.js';
import { parseEvent, publicErrors } from '../src/lambda/middleware.js';
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
  const region = await s3.config.region();
  const summary = await summarizeRun(event.runId, outcomesFromMap(event.runId, event.results), event.enumerationFailures, {
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
