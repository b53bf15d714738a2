/**
 * Bounded input: `assess --snapshot` reads only a regular file within a size limit, and stops
 * decompressing at the first sign of a bomb. A gzip bomb (1 GiB of zeros in 1 MiB), /dev/zero, a
 * named pipe with no writer and an oversized file are each refused with one line, in a separate
 * process whose time and peak memory are measured: under 2 s and 200 MiB each.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadSnapshot } from '../src/snapshot/load.js';
import { ROOT } from './helpers/fixtures.js';
import { SAMPLE_FLEET_DIR } from '../src/samples/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'snapshot-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1 GiB of zeros as 64 concatenated gzip members of 16 MiB each (a valid gzip file of about 1 MiB). */
function gzipBomb(file: string): void {
  const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
  writeFileSync(file, Buffer.concat(Array.from({ length: 64 }, () => member)));
}

interface Measured {
  file: string;
  code: number;
  stderr: string;
  ms: number;
  /** Growth of the process's peak resident memory while refusing, in MiB. */
  grewMiB: number;
}

/** Runs `calico-audit assess` on each file in a fresh process, measuring each refusal. */
function measure(files: string[], extraArgs: string[] = []): Measured[] {
  const script = `
    import { main } from ${JSON.stringify(path.join(ROOT, 'src/cli/main.ts'))};
    const results = [];
    for (const file of ${JSON.stringify(files)}) {
      let stderr = '';
      const io = { stdout: () => {}, stderr: (t) => { stderr += t; }, stderrStream: process.stderr };
      const before = process.resourceUsage().maxRSS;
      const started = performance.now();
      const code = await main(['node', 'calico-audit', 'assess', '--snapshot', file, ...${JSON.stringify(extraArgs)}], io);
      const ms = performance.now() - started;
      results.push({ file, code, stderr, ms, grewMiB: (process.resourceUsage().maxRSS - before) / 1024 });
    }
    console.log(JSON.stringify(results));
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Measured[];
}

describe('snapshot input is bounded', () => {
  it('refuses a gzip bomb, /dev/zero, a named pipe and an oversized file, each in under 2 s and 200 MiB, with one line', () => {
    const bomb = path.join(dir, 'bomb.json.gz');
    gzipBomb(bomb);
    const fifo = path.join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    const huge = path.join(dir, 'huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 2 * 1024 * 1024 * 1024); // sparse: 2 GiB on paper, nothing on disk

    const results = measure([bomb, '/dev/zero', fifo, huge]);
    const problems = Object.fromEntries(results.map((r) => [path.basename(r.file), r.stderr]));
    expect(problems).toEqual({
      'bomb.json.gz': `calico-audit: ${bomb}: decompresses more than 200 times its size, as only a compression bomb does; refused\n`,
      zero: 'calico-audit: /dev/zero: is not a regular file (a character device)\n',
      'pipe.json': `calico-audit: ${fifo}: is not a regular file (a named pipe)\n`,
      'huge.json': `calico-audit: ${huge}: is 2048 MiB, more than the 256 MiB limit (raise it with --max-snapshot-size)\n`,
    });
    for (const result of results) {
      expect(result.code, result.file).toBe(2);
      expect(result.ms, `${result.file} took ${result.ms.toFixed(0)} ms`).toBeLessThan(2_000);
      expect(result.grewMiB, `${result.file} grew the process by ${result.grewMiB.toFixed(0)} MiB`).toBeLessThan(200);
    }
  }, 90_000);

  it('refuses a snapshot beyond a configured decompressed size, and reads it within a larger one', async () => {
    const file = path.join(dir, 'mesh.json.gz');
    writeFileSync(file, gzipSync(readFileSync(path.join(SAMPLE_FLEET_DIR, 'mesh-120-no-typha.json'))));
    await expect(loadSnapshot(file, { maxFileBytes: 64 * 1024 * 1024, maxDecompressedBytes: 1024 * 1024 })).rejects.toThrow(
      `${file}: decompresses to more than 1.0 MiB, the limit (raise it with --max-decompressed-size)`,
    );
    expect((await loadSnapshot(file)).target.clusterName).toBe('mesh-120-no-typha');
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => (stderr += t), stderrStream: process.stderr };
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', file, '--max-decompressed-size', '2'], io)).toBe(2);
    expect(stderr).toContain('decompresses to more than 2.0 MiB, the limit');
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', file, '--max-snapshot-size', '0.01'], io)).toBe(2);
    expect(stderr).toContain('more than the 10485 bytes limit (raise it with --max-snapshot-size)');
    expect(await main(['node', 'calico-audit', 'assess', '--snapshot', file, '--max-snapshot-size', 'lots'], io)).toBe(2);
    expect(stderr).toContain('--max-snapshot-size must be a size in MiB, such as 512 (got "lots")');
  });

  it('still reads a directory as a clear error and a truncated gzip as not decompressible', async () => {
    await expect(loadSnapshot(dir)).rejects.toThrow(/is (a directory|not a regular file \(a directory\))/);
    const truncated = path.join(dir, 'cut.json.gz');
    writeFileSync(truncated, gzipSync(Buffer.from('{"schemaVersion":1}')).subarray(0, 12));
    await expect(loadSnapshot(truncated)).rejects.toThrow(`${truncated}: is gzipped but cannot be decompressed`);
  });
});
