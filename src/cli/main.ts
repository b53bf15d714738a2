/**
 * The `calico-audit` program: commander wiring, one top-level catch mapping errors to exit codes.
 * Each command's module is imported only when that command runs, so `--version` loads nothing
 * but commander and `assess` never loads the AWS SDK or the Kubernetes client.
 */
import { Command, CommanderError, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { SEVERITIES } from '../assess/rule.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';
import { ConfigError } from '../config/errors.js';
import { SnapshotInputError } from '../snapshot/errors.js';
// Types only (erased at build): the option shapes commander hands each command's action.
import type { AssessOptions } from './assess-command.js';
import type { AuditCommandOptions } from './audit-command.js';
import type { CollectCliDeps, CollectCommandOptions } from './collect-command.js';
import type { DemoOptions } from './demo-command.js';
import type { FleetCommandOptions } from './fleet-command.js';
import type { DiffOptions } from './diff-command.js';
import type { ReachOptions } from './reach-command.js';
import type { WhatIfOptions } from './what-if-command.js';
import { EXIT, UsageError } from './errors.js';
import { DIFF_FORMATS, FORMATS } from './options.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrStream: NodeJS.WritableStream;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrStream: process.stderr,
};

/** Runs the CLI and returns its exit code (never calls process.exit, so tests can call it). */
export async function main(argv: string[], terminal: CliIo = processIo, deps: CollectCliDeps = {}): Promise<number> {
  // Whatever is printed (progress, reports, error messages quoting a file or a cluster) reaches the
  // terminal with control characters and bidi overrides shown escaped: a cluster name cannot clear
  // the screen or retitle the window.
  const io: CliIo = {
    stdout: (text) => terminal.stdout(escapeUnsafeKeepingLines(text)),
    stderr: (text) => terminal.stderr(escapeUnsafeKeepingLines(text)),
    stderrStream: terminal.stderrStream,
  };
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('calico-audit')
    .description('Audits Calico networking on Amazon EKS against the Calico reference architecture.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('assess')
    .description('Assess one snapshot file (.json or .json.gz); never touches the network.')
    .requiredOption('--snapshot <file>', 'snapshot file')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a check fails at this severity or worse').choices(SEVERITIES))
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--mask', 'replace account ids, IP addresses and CIDRs with stable placeholders (for reports sent by e-mail)')
    .option('--suppressions <file>', 'YAML file of accepted findings ({rule, clusters, match?, reason, owner, ticket?, expires}; the earlier JSON form too): shown, not scored')
    .option('--max-snapshot-size <MiB>', 'refuse a snapshot file larger than this (default 256)')
    .option('--max-decompressed-size <MiB>', 'refuse a gzipped snapshot that decompresses to more than this (default 256)')
    .action(async (options: AssessOptions) => {
      const { assessCommand } = await import('./assess-command.js');
      exitCode = await assessCommand(options, io.stdout);
    });

  program
    .command('reach')
    .description('Can pods (or an address) reach other pods (or an address), through every tier on both sides? Prints the verdict and each side\'s trace; exit 0 allowed, 1 denied, 3 unknown, 4 partly (some pods or ports).')
    .requiredOption('--snapshot <file>', 'snapshot file')
    .requiredOption('--from <from>', 'NAMESPACE, NAMESPACE/SELECTOR (Calico selector or k=v,k2=v2), or an address or CIDR')
    .requiredOption('--to <to>', 'NAMESPACE, NAMESPACE/SELECTOR, or an address or CIDR')
    .option('--port <port>', 'PORT[/tcp|udp|sctp] or FROM-TO[/protocol], e.g. 53/udp (default: every TCP and UDP port)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: ReachOptions) => {
      const { reachCommand } = await import('./reach-command.js');
      exitCode = await reachCommand(options, io.stdout);
    });

  const collectList = (value: string, previous: string[] = []) => [...previous, value];
  program
    .command('what-if')
    .description('Apply proposed policy to a snapshot (or delete some, or promote its staged policies) and print which flows and rules change, and the score before and after.')
    .requiredOption('--snapshot <file>', 'snapshot file')
    .option('--apply <file>', 'YAML of Calico, Kubernetes or admin network policies, network sets or tiers (repeatable)', collectList)
    .option('--delete <kind/name>', 'delete KIND/NAME or KIND/NAMESPACE/NAME, e.g. globalnetworkpolicy/default-allow-all (repeatable)', collectList)
    .option('--staged', "promote the cluster's staged policies (stagedAction Set or Delete)")
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options: WhatIfOptions) => {
      const { whatIfCommand } = await import('./what-if-command.js');
      exitCode = await whatIfCommand(options, io.stdout);
    });

  program
    .command('diff')
    .description('Compare two audits: two assessments of a cluster (report.json) or two fleet summaries (fleet/index.json): new, resolved and changed findings, score moves.')
    .requiredOption('--from <file>', 'the earlier report.json or fleet/index.json')
    .requiredOption('--to <file>', 'the later one, of the same kind')
    .addOption(new Option('--format <format>', 'output format').choices(DIFF_FORMATS).default('text'))
    .option('--out <file>', 'write the output to a file instead of stdout')
    .action(async (options: DiffOptions) => {
      const { diffCommand } = await import('./diff-command.js');
      exitCode = await diffCommand(options, io.stdout);
    });

  program
    .command('rules')
    .description('Print the rule catalogue, generated from the rule registry.')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .action(async (options: { format: string }) => {
      const { rulesCommand } = await import('./rules-command.js');
      exitCode = rulesCommand(options, io.stdout);
    });

  program
    .command('demo')
    .description('Audit the built-in sample fleet and write every report to a local folder.')
    .option('--out <dir>', 'output folder', 'reports')
    .option('--previous <file>', "the previous run's index.json: report new and resolved findings, score moves, clusters added and gone")
    .option('--suppressions <file>', 'YAML file of accepted findings ({rule, clusters, match?, reason, owner, ticket?, expires}; the earlier JSON form too): shown, not scored')
    .action(async (options: DemoOptions) => {
      const { demoCommand } = await import('./demo-command.js');
      exitCode = await demoCommand(options, { stdout: io.stdout, stderr: io.stderrStream });
    });

  const clusterOptions = (command: Command) =>
    command
      .requiredOption('--cluster <name>', 'EKS cluster name')
      .requiredOption('--region <region>', 'AWS region of the cluster, e.g. eu-west-2')
      .option('--role-arn <arn>', 'assume this IAM role (cross-account reads); default: the default credential chain')
      .option('--external-id <id>', "the external id the role's trust policy requires")
      .option('--deadline <seconds>', 'stop collecting after this long and keep what was read, the rest recorded as not collected (default 420)');

  clusterOptions(program.command('collect'))
    .description('Read a live EKS cluster (AWS and Kubernetes, read-only) into a snapshot file; progress on stderr.')
    .requiredOption('--out <file>', 'snapshot file; gzipped when it ends in .gz')
    .action(async (options: CollectCommandOptions) => {
      const { collectCommand } = await import('./collect-command.js');
      exitCode = await collectCommand(options, io, deps);
    });

  clusterOptions(program.command('audit'))
    .description('Collect a live EKS cluster, assess it and write report.{json,md,html} with snapshot.json.gz beside them.')
    .option('--out <dir>', 'output folder (default: reports/<cluster>)')
    .option('--suppressions <file>', 'YAML file of accepted findings ({rule, clusters, match?, reason, owner, ticket?, expires}; the earlier JSON form too): shown, not scored')
    .action(async (options: AuditCommandOptions) => {
      const { auditCommand } = await import('./audit-command.js');
      exitCode = await auditCommand(options, io, deps);
    });

  program
    .command('fleet')
    .description('Run the nightly fleet audit in this process: enumerate, audit every cluster, summarise (configured by CALICO_AUDIT_* variables).')
    .option('--out <dir>', 'write reports to this folder instead of the configured bucket')
    .option('--run-id <id>', 'run id (default: the start time)')
    .option('--suppressions <file>', 'YAML file of accepted findings, instead of the configured suppressionsKey object')
    .action(async (options: FleetCommandOptions) => {
      const { fleetCommand } = await import('./fleet-command.js');
      exitCode = await fleetCommand(options, io);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof SnapshotInputError || error instanceof UsageError || error instanceof ConfigError) {
      io.stderr(`calico-audit: ${error.message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`calico-audit: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.internal;
  }
}
