/** SARIF 2.1.0 from `calico-audit assess --format sarif`: valid against the published schema, stable ids and fingerprints. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { applySuppressions } from '../src/assess/suppressions.js';
import { main } from '../src/cli/main.js';
import { renderSarif } from '../src/render/sarif.js';
import { SAMPLE_FLEET_DIR, listSampleSnapshots } from '../src/samples/index.js';
import { loadSnapshot } from '../src/snapshot/load.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';
import { sarifValidator } from './support/schemas.js';
import { stringMatching } from './helpers/matchers.js';

const validate = sarifValidator();
const native = () => assess(validateSnapshot(sampleDocument('native-multisubnet-srcdst'), 'native'));

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema for every sample cluster', async () => {
    for (const file of await listSampleSnapshots()) {
      const log: unknown = JSON.parse(renderSarif(assess(await loadSnapshot(file)), { snapshotUri: `snapshots/${path.basename(file)}` }));
      expect(validate(log), `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    // The validator does reject what the schema forbids.
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('has one result per finding, with the rule id, its level, and a fingerprint of cluster, rule and object', () => {
    const log = JSON.parse(renderSarif(native(), { snapshotUri: 'snapshots/native.json' })) as Log;
    const run = log.runs[0]!;
    const srcDst = run.results!.filter((r) => r.ruleId === 'CAL-AWS-01');
    expect(srcDst).toHaveLength(5);
    expect(srcDst[0]).toMatchObject({
      level: 'error',
      kind: 'fail',
      partialFingerprints: { 'calicoAuditFinding/v1': stringMatching(/^111122223333\/eu-west-2\/native-multisubnet-srcdst#CAL-AWS-01#Node\/ip-10-2-/) },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'snapshots/native.json' } }, logicalLocations: [{ kind: 'resource' }] }],
    });
    expect(run.tool.driver.rules![srcDst[0]!.ruleIndex!]!.id).toBe('CAL-AWS-01');
    expect(run.tool.driver.rules!.find((r) => r.id === 'CAL-AWS-01')!.properties!['security-severity']).toBe('9.5');
    // Same snapshot, same log: stable across runs.
    expect(renderSarif(native())).toBe(renderSarif(native()));
  });

  it('keeps a suppressed finding, as an accepted external suppression with its reason and owner', () => {
    const suppressed = applySuppressions(native(), [
      { ruleId: 'CAL-POL-03', clusters: ['native-*'], match: 'batch', reason: 'batch jobs are isolated by their own VPC', owner: 'platform-team', expires: '2027-06-30' },
    ]);
    const log = JSON.parse(renderSarif(suppressed)) as Log;
    const byObject = new Map(log.runs[0]!.results!.filter((r) => r.ruleId === 'CAL-POL-03').map((r) => [r.properties!['object'], r]));
    expect(byObject.get('Namespace batch')!.suppressions).toEqual([
      { kind: 'external', status: 'accepted', justification: 'batch jobs are isolated by their own VPC (owner platform-team), until 2027-06-30' },
    ]);
    expect(byObject.get('Namespace analytics')!.suppressions).toBeUndefined();
    expect(validate(log)).toBe(true);
  });

  it('is what `calico-audit assess --format sarif` writes', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'sarif-')), 'audit.sarif');
    const snapshot = path.join(SAMPLE_FLEET_DIR, 'native-multisubnet-srcdst.json');
    const code = await main(['node', 'calico-audit', 'assess', '--snapshot', snapshot, '--format', 'sarif', '--out', out], {
      stdout: () => undefined,
      stderr: () => undefined,
      stderrStream: process.stderr,
    });
    expect(code).toBe(0);
    const log = JSON.parse(readFileSync(out, 'utf8')) as Log;
    expect(validate(log)).toBe(true);
    expect(log.runs[0]!.artifacts![0]!.location!.uri).toBe(path.relative(process.cwd(), snapshot));
  });
});
