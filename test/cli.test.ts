/** The calico-audit CLI: exit codes, stderr lines, and the formats of `assess` and `rules`. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../src/assess/assess.js';
import { RULES } from '../src/assess/rules/index.js';
import type { FleetSummary } from '../src/fleet-summary/index.js';
import { ROOT } from './helpers/fixtures.js';
import { emptySnapshot } from './helpers/minimal-snapshot.js';
import { runCli, sampleFile, scratchFolder } from './helpers/cli.js';

const { dir, write } = scratchFolder('calico-audit-cli-');
const sample = sampleFile;
const run = runCli;

describe('calico-audit assess', () => {
  it('prints the assessment as JSON with one check per catalogue rule, and exits 0', async () => {
    const { code, stdout, stderr } = await run('assess', '--snapshot', sample('reference-crosssubnet'), '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const assessment = JSON.parse(stdout) as Assessment;
    expect(assessment.schemaVersion).toBe(1);
    expect(assessment.target.clusterName).toBe('reference-crosssubnet');
    expect(assessment.checks.map((c) => c.id)).toEqual(RULES.map((r) => r.id));
    for (const check of assessment.checks) expect(Object.keys(check)).toEqual(expect.arrayContaining(['id', 'title', 'severity', 'status', 'evidence', 'remediation']));
    expect(Object.keys(assessment.score)).toEqual(expect.arrayContaining(['value', 'grade', 'coverage']));
  });

  it('exits 1 when --fail-on is met and 0 when it is not', async () => {
    const native = await run('assess', '--snapshot', sample('native-multisubnet-srcdst'), '--format', 'text', '--fail-on', 'critical');
    expect(native.code).toBe(1);
    expect(native.stdout).toContain('CAL-AWS-01');
    const reference = await run('assess', '--snapshot', sample('reference-crosssubnet'), '--format', 'text', '--fail-on', 'critical');
    expect(reference.code).toBe(0);
  });

  it.each([
    ['a missing file', () => path.join(dir, 'nope.json'), 'no such file'],
    ['a file that is not JSON', () => write('bad.json', 'hello'), 'is not JSON'],
    ['JSON that is not a snapshot', () => write('other.json', '{"kind":"List"}'), 'is not a snapshot'],
    ['a snapshot of another schema version', () => write('v9.json', JSON.stringify({ ...emptySnapshot(), schemaVersion: 9 })), 'schemaVersion 9'],
  ])('exits 2 on %s with one clear line on stderr naming the file', async (_label, file, problem) => {
    const path_ = file();
    const { code, stdout, stderr } = await run('assess', '--snapshot', path_);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(path_);
    expect(stderr).toContain(problem);
  });

  it('renders md and html, and with --mask hides account ids and addresses in every format', async () => {
    for (const format of ['md', 'html', 'json']) {
      const plain = await run('assess', '--snapshot', sample('reference-crosssubnet'), '--format', format);
      expect(plain.code).toBe(0);
      expect(plain.stdout).toContain('111122223333');
      const masked = await run('assess', '--snapshot', sample('reference-crosssubnet'), '--format', format, '--mask');
      expect(masked.code).toBe(0);
      expect(masked.stdout).not.toContain('111122223333');
      expect(masked.stdout).not.toMatch(/\b10\.0\.1\.15\b/);
      expect(masked.stdout).toContain('ACCOUNT-1');
    }
  });

  it('writes to --out instead of stdout', async () => {
    const out = path.join(dir, 'report.html');
    const { code, stdout } = await run('assess', '--snapshot', sample('enterprise-vxlan'), '--format', 'html', '--mask', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toContain('111122223333');
  });

  it('exits 2 on an unknown format or severity', async () => {
    expect((await run('assess', '--snapshot', sample('reference-crosssubnet'), '--format', 'pdf')).code).toBe(2);
    expect((await run('assess', '--snapshot', sample('reference-crosssubnet'), '--fail-on', 'urgent')).code).toBe(2);
  });
});

describe('calico-audit rules', () => {
  it('prints the catalogue generated from the registry', async () => {
    const json = await run('rules', '--format', 'json');
    expect((JSON.parse(json.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const markdown = await run('rules');
    expect(markdown.stdout).toContain('| CAL-RT-01 |');
  });
});

describe('the installed bin', () => {
  it('runs through `npx calico-audit` from the build `npm ci` made', async () => {
    const { stdout } = await promisify(execFile)('npx', ['--no-install', 'calico-audit', 'assess', '--snapshot', sample('enterprise-vxlan'), '--format', 'json'], {
      cwd: ROOT,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    expect((JSON.parse(stdout) as Assessment).target.clusterName).toBe('enterprise-vxlan');
  });
});

/** The fleet folder of the run `latest/index.json` names. */
const latestFleetDir = (out: string): string => {
  const pointer = JSON.parse(readFileSync(path.join(out, 'latest', 'index.json'), 'utf8')) as { runId: string };
  return path.join(out, 'runs', pointer.runId, 'fleet');
};

describe('calico-audit demo', () => {
  it('audits every sample, writes three renderings per cluster and a fleet index, and prints the fleet table', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'calico-audit-demo-'));
    const { code, stdout } = await run('demo', '--out', out);
    expect(code).toBe(0);
    const fleetDir = latestFleetDir(out);
    // latest/fleet/index.html sends the reader on to that run's page.
    expect(readFileSync(path.join(out, 'latest', 'fleet', 'index.html'), 'utf8')).toContain(`url=../../runs/${path.basename(path.dirname(fleetDir))}/fleet/index.html`);
    const index = JSON.parse(readFileSync(path.join(fleetDir, 'index.json'), 'utf8')) as FleetSummary;
    const names = index.clusters.map((c) => c.clusterName).sort();
    expect(names).toEqual([
      'ec2-denied',
      'enterprise-vxlan',
      'ipv6-policy-only',
      'karpenter-growth',
      'mesh-120-no-typha',
      'native-multisubnet-srcdst',
      'pool-migration',
      'reference-crosssubnet',
      'vpc-cni-policy-only',
    ]);
    for (const cluster of index.clusters) {
      const folder = path.join(fleetDir, path.dirname(cluster.report));
      for (const file of ['report.json', 'report.md', 'report.html']) expect(existsSync(path.join(folder, file)), `${folder}/${file}`).toBe(true);
      expect(stdout).toContain(cluster.clusterName);
    }
    for (const file of ['index.md', 'index.html']) expect(existsSync(path.join(fleetDir, file))).toBe(true);
    // Worst first: the fleet table starts with a cluster failing a critical rule.
    expect(index.clusters[0]!.critical).toBeGreaterThan(0);
    expect(stdout.split('\n')[0]).toMatch(/^CLUSTER\s+GRADE\s+SCORE\s+COVERAGE\s+CRITICAL\s+HIGH/);
  });

  it('with --previous, reports what changed since that run; a --previous that is not a fleet summary exits 2', async () => {
    const first = mkdtempSync(path.join(tmpdir(), 'calico-audit-demo-'));
    await run('demo', '--out', first);
    const previousFile = path.join(latestFleetDir(first), 'index.json');
    const previous = JSON.parse(readFileSync(previousFile, 'utf8')) as FleetSummary;
    previous.clusters = previous.clusters.filter((c) => c.clusterName !== 'ec2-denied');
    writeFileSync(previousFile, JSON.stringify(previous));
    const second = mkdtempSync(path.join(tmpdir(), 'calico-audit-demo-'));
    const { code, stdout } = await run('demo', '--out', second, '--previous', previousFile);
    expect(code).toBe(0);
    expect(stdout).toContain('1 cluster added');
    const fleetPage = readFileSync(path.join(latestFleetDir(second), 'index.md'), 'utf8');
    expect(fleetPage).toMatch(/### Clusters added\n\n- ec2-denied/);
    expect(readFileSync(path.join(latestFleetDir(second), 'index.html'), 'utf8')).toContain('Clusters added');

    const bad = await run('demo', '--out', second, '--previous', write('not-fleet.json', '{"clusters": 1}'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a fleet summary');
  });
});
