/**
 * `calico-audit fleet`: the nightly run in one process — the same enumerate → audit × N → summarize
 * functions the Step Functions state machine calls, with bounded concurrency. Configuration comes
 * from CALICO_AUDIT_* variables (or CALICO_AUDIT_CONFIG); reports go to the configured bucket, or
 * to a local folder with --out.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { awsClientDefaults } from '../collect/aws/clients.js';
import { latestFleetUrl, loadConfig, objectUrl } from '../config/config.js';
import { securityHubThroughMemberRole } from '../fleet/member-securityhub.js';
import { clusterKey } from '../publish/layout.js';
import { MemberAccess } from '../fleet/member-access.js';
import { ledgerReader } from '../fleet/ledger.js';
import { collectThroughMemberRole } from '../fleet/member-collect.js';
import { suppressionsReader, type LoadedSuppressions } from '../fleet/suppressions.js';
import { runFleet } from '../fleet/run.js';
import { enumerateTargets, memberEnumerationClients } from '../fleet/targets.js';
import { SesEmailNotifier } from '../notify/email.js';
import { LocalSink, S3Sink, type ReportSink } from '../publish/sink.js';
import type { CommandIo } from './collect-command.js';
import { EXIT } from './errors.js';
import { loadSuppressions } from './suppressions-file.js';
import { runIdAt } from '../target/index.js';

export interface FleetCommandOptions {
  out?: string;
  runId?: string;
  /** A local suppressions file, instead of the configured object (suppressionsKey). */
  suppressions?: string;
}

export async function fleetCommand(options: FleetCommandOptions, io: CommandIo): Promise<number> {
  const config = loadConfig();
  const runId = options.runId ?? runIdAt(new Date());
  const s3 = new S3Client(awsClientDefaults());
  const sink: ReportSink = options.out ? new LocalSink(options.out) : new S3Sink(s3, config.bucket, config.prefix);
  const access = new MemberAccess(config);
  // A local run (--out) names no bucket region: links are file paths.
  const region = options.out ? '' : await s3.config.region();
  const notifier =
    config.recipients.length && config.sender ? new SesEmailNotifier(new SESv2Client(awsClientDefaults()), config.sender, config.recipients) : undefined;
  const local = options.suppressions ? await loadSuppressions(options.suppressions) : null;
  const readSuppressionsOnce: (runId: string) => Promise<LoadedSuppressions> = local
    ? () => Promise.resolve({ entries: local, source: options.suppressions ?? null, error: null })
    : suppressionsReader(sink, config.suppressionsKey);
  const run = await runFleet(runId, {
    enumerate: () => enumerateTargets(config, memberEnumerationClients((accountId, region) => access.credentialsFor(accountId, region))),
    audit: { sink, collect: collectThroughMemberRole(access, { deadlineMs: config.collectionDeadlineSeconds * 1000 }), suppressions: async (id) => (await readSuppressionsOnce(id)).entries, ledger: ledgerReader(sink) },
    summarize: {
      sink,
      history: { suppressions: readSuppressionsOnce },
      exports: {
        reportUrl: options.out ? (target) => sink.locate(clusterKey(runId, target, 'report.html')) : (target) => objectUrl(config, region, clusterKey(runId, target, 'report.html')),
        ...(config.securityHub ? { securityHub: { clientFor: securityHubThroughMemberRole(access) } } : {}),
        // A local run (--out) writes files only: no event announces it.
        ...(config.eventBus && !options.out ? { events: { client: new EventBridgeClient({}), busName: config.eventBus } } : {}),
      },
      ...(notifier ? { notifier } : {}),
      fleetUrl: options.out ? sink.locate('latest/fleet/index.html') : latestFleetUrl(config, region),
      maskEmail: config.maskEmail,
      now: () => new Date(),
    },
    concurrency: config.concurrency,
    onClusterDone: (outcome) =>
      io.stderr(
        `${outcome.status === 'audited' ? 'audited' : 'NOT audited'} ${outcome.target.accountId}/${outcome.target.region}/${outcome.target.clusterName}` +
          `${outcome.status === 'audited' ? `: ${outcome.grade ?? '-'} ${outcome.score ?? '-'}` : `: ${outcome.reason}`}\n`,
      ),
  });
  const { summary } = run;
  io.stdout(
    `Run ${runId}: ${summary.audited} clusters audited, ${summary.notAudited} not audited, ${summary.critical} critical and ${summary.high} high findings.\n` +
      `Fleet page: ${sink.locate(summary.fleetKeys['index.html'])}${summary.emailed ? '; summary e-mailed' : ''}\n`,
  );
  return EXIT.ok;
}
