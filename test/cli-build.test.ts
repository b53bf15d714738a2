/**
 * The CLI ships compiled (dist/cli/, built by `npm ci` and before `npm test`): each command's
 * module is a chunk of its own, and what a command loads is the static-import closure of its
 * chunk. esbuild's metafile (dist/cli/meta.json) says which sources went into which chunk, so
 * these tests check what starting a command costs without timing anything.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }>;
}

const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist/cli/meta.json'), 'utf8')) as Metafile;
const packageVersion = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Every source file that loading `entryPoint`'s chunk loads before any dynamic import runs. */
function loadedBy(entryPoint: string): string[] {
  const start = Object.keys(meta.outputs).find((output) => meta.outputs[output]!.entryPoint === entryPoint);
  if (!start) throw new Error(`no chunk for ${entryPoint} in dist/cli/meta.json`);
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const output = queue.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of meta.outputs[output]?.imports ?? []) if (imported.kind === 'import-statement') queue.push(imported.path);
  }
  return [...seen].flatMap((output) => Object.keys(meta.outputs[output]?.inputs ?? {}));
}

const from = (inputs: string[], pkg: string) => inputs.filter((input) => input.startsWith(`node_modules/${pkg}`));

describe('the compiled CLI', () => {
  it('starts with commander alone: no schema, renderer, AWS SDK or Kubernetes client before a command runs', () => {
    const inputs = loadedBy('src/cli/run.ts');
    expect(from(inputs, 'commander').length).toBeGreaterThan(0);
    for (const heavy of ['zod', 'handlebars', 'marked', '@aws-sdk', '@smithy', '@kubernetes', 'xss']) expect(from(inputs, heavy), heavy).toEqual([]);
    expect(inputs.filter((input) => input.startsWith('src/assess/rules/'))).toEqual([]);
  });

  it('assesses without loading the AWS SDK or the Kubernetes client, and loads a renderer only for its format', () => {
    const inputs = loadedBy('src/cli/assess-command.ts');
    expect(inputs).toContain('src/assess/assess.ts');
    // Text and JSON need neither handlebars nor marked; a suppressions file brings the YAML parser.
    for (const lazy of ['handlebars', 'marked', 'yaml']) expect(from(inputs, lazy), lazy).toEqual([]);
    expect(from(loadedBy('src/render/html.ts'), 'handlebars').length).toBeGreaterThan(0);
    for (const network of ['@aws-sdk', '@smithy', '@kubernetes', 'p-limit']) expect(from(inputs, network), network).toEqual([]);
    expect(inputs.filter((input) => input.startsWith('src/collect/'))).toEqual([]);
  });

  it('loads the AWS SDK for the commands that read live clusters', () => {
    expect(from(loadedBy('src/cli/collect-command.ts'), '@aws-sdk/client-ec2').length).toBeGreaterThan(0);
  });

  it('runs from its build through the installed bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/calico-audit.js'), '--version']);
    expect(stdout.trim()).toBe(packageVersion);
  });
});
