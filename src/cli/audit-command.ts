/** `calico-audit audit`: one live cluster through the cluster pipeline, its files written into one local folder. */
import path from 'node:path';
import { auditCluster } from '../fleet/audit-cluster.js';
import { LocalSink } from '../publish/sink.js';
import { runIdAt } from '../target/index.js';
import { checkClusterOptions, collectWithProgress, unavailableExitCode, type ClusterOptions, type CollectCliDeps, type CommandIo } from './collect-command.js';
import { EXIT } from './errors.js';
import { loadSuppressions } from './suppressions-file.js';

export interface AuditCommandOptions extends ClusterOptions {
  /** Output folder; default `reports/<cluster>`. */
  out?: string;
  suppressions?: string;
}

export async function auditCommand(options: AuditCommandOptions, io: CommandIo, deps: CollectCliDeps = {}): Promise<number> {
  checkClusterOptions(options);
  const outDir = options.out ?? path.join('reports', options.cluster);
  const suppressions = await loadSuppressions(options.suppressions);
  const sink = new LocalSink(outDir);
  // The account is whatever the credentials reach; the files go into outDir itself, so it is not needed to file them.
  const target = { accountId: '', region: options.region, clusterName: options.cluster };
  const outcome = await auditCluster(
    runIdAt((deps.now ?? (() => new Date()))()),
    target,
    { sink, collect: () => collectWithProgress(options, io, deps), suppressions },
    { folder: '' },
  );
  if (outcome.status === 'failed') {
    io.stderr(`calico-audit: ${outcome.reason}\n`);
    return unavailableExitCode(outcome.code);
  }
  io.stderr(`Reports and snapshot written to ${outDir}\n`);
  io.stdout(
    `${options.cluster}: score ${outcome.score ?? 'n/a'}${outcome.grade ? ` (${outcome.grade})` : ''}; ${outcome.failed} failed, ${outcome.passed} passed, ${outcome.unknown} unknown; report ${sink.locate(outcome.keys['report.html'])}\n`,
  );
  return EXIT.ok;
}
