/** Runs the CLI in-process, as `calico-audit …` would, and keeps what it printed. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { SAMPLE_FLEET_DIR } from '../../src/samples/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `calico-audit ...args`: the exit code and what went to stdout and stderr (progress lines dropped). */
export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'calico-audit', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stderrStream: { write: () => true } as unknown as NodeJS.WritableStream,
  });
  return { code, stdout, stderr };
}

/** A scratch folder for one test file: `write` puts a file in it and returns its path. */
export function scratchFolder(prefix: string): { dir: string; write: (name: string, content: string) => string } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    write: (name, content) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
  };
}

/** The path of a sample cluster's snapshot. */
export const sampleFile = (name: string): string => path.join(SAMPLE_FLEET_DIR, `${name}.json`);
