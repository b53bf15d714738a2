/** `calico-audit audit`: collect one live cluster, assess it, render the reports and write them with the snapshot beside them. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assess } from '../assess/assess.js';
import { applySuppressions } from '../assess/suppressions.js';
import { writeSnapshotFile } from '../snapshot/write.js';
import { render } from './assess-command.js';
import { checkClusterOptions, collectWithProgress, type ClusterOptions, type CollectCliDeps, type CommandIo } from './collect-command.js';
import { EXIT } from './errors.js';
import { loadSuppressions } from './suppressions-file.js';

export interface AuditCommandOptions extends ClusterOptions {
  /** Output folder; default `reports/<cluster>`. */
  out?: string;
  suppressions?: string;
}

/** The files an audit writes into its folder. */
export const AUDIT_FILES = { json: 'report.json', md: 'report.md', html: 'report.html', snapshot: 'snapshot.json.gz' } as const;

export async function auditCommand(options: AuditCommandOptions, io: CommandIo, deps: CollectCliDeps = {}): Promise<number> {
  checkClusterOptions(options);
  const outDir = options.out ?? path.join('reports', options.cluster);
  const collected = await collectWithProgress(options, io, deps);
  if (!collected.snapshot) return collected.exitCode;

  const assessment = applySuppressions(assess(collected.snapshot), await loadSuppressions(options.suppressions));
  await mkdir(outDir, { recursive: true });
  await Promise.all([
    writeFile(path.join(outDir, AUDIT_FILES.json), render(assessment, 'json')),
    writeFile(path.join(outDir, AUDIT_FILES.md), render(assessment, 'md')),
    writeFile(path.join(outDir, AUDIT_FILES.html), render(assessment, 'html')),
    writeSnapshotFile(path.join(outDir, AUDIT_FILES.snapshot), collected.snapshot),
  ]);
  const { value, grade, counts } = assessment.score;
  io.stderr(`Reports and snapshot written to ${outDir}\n`);
  io.stdout(
    `${options.cluster}: score ${value ?? 'n/a'}${grade ? ` (${grade})` : ''}; ${counts.fail} failed, ${counts.pass} passed, ${counts.unknown} unknown; report ${path.join(outDir, AUDIT_FILES.html)}\n`,
  );
  return EXIT.ok;
}
