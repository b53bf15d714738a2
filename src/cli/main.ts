/** The `calico-audit` program: commander wiring, one top-level catch mapping errors to exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { SEVERITIES } from '../assess/rule.js';
import { SnapshotInputError } from '../snapshot/load.js';
import { FORMATS, assessCommand } from './assess-command.js';
import { demoCommand } from './demo-command.js';
import { EXIT, UsageError } from './errors.js';
import { rulesCommand } from './rules-command.js';

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
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command()
    .name('calico-audit')
    .description('Audits Calico networking on Amazon EKS against the Calico reference architecture.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('assess')
    .description('Assess one snapshot file (.json or .json.gz); never touches the network.')
    .requiredOption('--snapshot <file>', 'snapshot file')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a check fails at this severity or worse').choices(SEVERITIES))
    .option('--out <file>', 'write the output to a file instead of stdout')
    .action(async (options) => {
      exitCode = await assessCommand(options, io.stdout);
    });

  program
    .command('rules')
    .description('Print the rule catalogue, generated from the rule registry.')
    .addOption(new Option('--format <format>', 'output format').choices(['md', 'json']).default('md'))
    .action((options) => {
      exitCode = rulesCommand(options, io.stdout);
    });

  program
    .command('demo')
    .description('Audit the built-in sample fleet and write every report to a local folder.')
    .option('--out <dir>', 'output folder', 'reports')
    .action(async (options) => {
      exitCode = await demoCommand(options, { stdout: io.stdout, stderr: io.stderrStream });
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander rejects is bad input.
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof SnapshotInputError || error instanceof UsageError) {
      io.stderr(`calico-audit: ${error.message}\n`);
      return EXIT.badInput;
    }
    io.stderr(`calico-audit: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.internal;
  }
}
