/** `calico-audit collect`: one live EKS cluster → one snapshot file (`.json`, or gzipped `.json.gz`). */
import { collectSnapshot, liveCollectDeps, type CollectDeps, type LiveOptions } from '../collect/collect.js';
import { ClusterUnavailableError, type SourceSettled } from '../collect/errors.js';
import type { Snapshot } from '../snapshot/schema.js';
import { writeSnapshotFile } from '../snapshot/write.js';
import { EXIT, UsageError } from './errors.js';

export interface ClusterOptions {
  cluster: string;
  region: string;
  roleArn?: string;
  externalId?: string;
  /** The collection deadline in seconds, as given on the command line. */
  deadline?: string;
}

export interface CollectCommandOptions extends ClusterOptions {
  out: string;
}

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** What `collect` and `audit` reach the world through; tests pass mocked clients and a fixed clock. */
export interface CollectCliDeps {
  collectDeps?: (options: LiveOptions) => CollectDeps;
  now?: () => Date;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/** Rejects bad cluster options before any call is made (exit 2). */
export function checkClusterOptions(options: ClusterOptions): void {
  if (!options.cluster?.trim()) throw new UsageError('--cluster must name an EKS cluster');
  if (!REGION.test(options.region ?? '')) throw new UsageError(`--region must be an AWS region such as eu-west-2 (got ${JSON.stringify(options.region)})`);
  if (options.roleArn !== undefined && !ROLE_ARN.test(options.roleArn)) {
    throw new UsageError(`--role-arn must be an IAM role ARN such as arn:aws:iam::111122223333:role/CalicoAuditReadOnly (got ${JSON.stringify(options.roleArn)})`);
  }
  if (options.externalId !== undefined && options.roleArn === undefined) throw new UsageError('--external-id only applies with --role-arn');
  if (options.deadline !== undefined && !(/^\d+$/.test(options.deadline) && Number(options.deadline) > 0)) {
    throw new UsageError(`--deadline must be a number of seconds, such as 300 (got ${JSON.stringify(options.deadline)})`);
  }
}

/** One stderr line per source as it settles. */
function progressLine(started: number, event: SourceSettled): string {
  const seconds = ((performance.now() - started) / 1000).toFixed(2).padStart(6);
  return event.ok ? `  ${seconds}s  ok    ${event.source} (${event.count ?? 0})\n` : `  ${seconds}s  error ${event.source}: ${event.code}\n`;
}

/**
 * Collects one cluster with progress on stderr; throws ClusterUnavailableError when the cluster
 * cannot be described at all.
 */
export async function collectWithProgress(options: ClusterOptions, io: CommandIo, deps: CollectCliDeps): Promise<Snapshot> {
  const started = performance.now();
  io.stderr(`Collecting EKS cluster ${options.cluster} in ${options.region}${options.roleArn ? ` as ${options.roleArn}` : ''}\n`);
  const live = { region: options.region, ...(options.roleArn ? { roleArn: options.roleArn } : {}), ...(options.externalId ? { externalId: options.externalId } : {}) };
  const snapshot = await collectSnapshot(
    {
      clusterName: options.cluster,
      region: options.region,
      ...(deps.now ? { now: deps.now } : {}),
      ...(options.deadline ? { deadlineMs: Number(options.deadline) * 1000 } : {}),
      onProgress: (event) => io.stderr(progressLine(started, event)),
    },
    (deps.collectDeps ?? liveCollectDeps)(live),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const errors = snapshot.errors.length;
  io.stderr(`Collected ${options.cluster} in ${seconds} s with ${errors === 0 ? 'no errors' : `${errors} error${errors === 1 ? '' : 's'} (recorded in the snapshot)`}\n`);
  return snapshot;
}

/** The exit code for a cluster that could not be described: 2 when no such cluster exists in the region, 4 otherwise. */
export const unavailableExitCode = (code: string | undefined): number => (code === 'ResourceNotFoundException' ? EXIT.badInput : EXIT.collectFailed);

export async function collectCommand(options: CollectCommandOptions, io: CommandIo, deps: CollectCliDeps = {}): Promise<number> {
  checkClusterOptions(options);
  if (!options.out) throw new UsageError('--out must name the snapshot file (.json or .json.gz)');
  let snapshot: Snapshot;
  try {
    snapshot = await collectWithProgress(options, io, deps);
  } catch (error) {
    if (!(error instanceof ClusterUnavailableError)) throw error;
    io.stderr(`calico-audit: ${error.message}\n`);
    return unavailableExitCode(error.code);
  }
  await writeSnapshotFile(options.out, snapshot);
  io.stderr(`Snapshot written to ${options.out}\n`);
  return EXIT.ok;
}
