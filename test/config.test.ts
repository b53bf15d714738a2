/** Configuration: one validated object from a file and/or CALICO_AUDIT_* variables, with clear errors. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { without } from './helpers/objects.js';

const base = { CALICO_AUDIT_ACCOUNTS: '111122223333', CALICO_AUDIT_REGIONS: 'eu-west-2', CALICO_AUDIT_BUCKET: 'calico-audit-reports', CALICO_AUDIT_EXTERNAL_ID: 'calico-audit-test-external-id' };

describe('loadConfig', () => {
  it('reads the environment, with defaults for what is not set', () => {
    expect(loadConfig(base)).toEqual({
      accounts: ['111122223333'],
      regions: ['eu-west-2'],
      bucket: 'calico-audit-reports',
      externalId: 'calico-audit-test-external-id',
      memberRoleName: 'CalicoAuditReadOnly',
      prefix: '',
      recipients: [],
      maskEmail: true,
      concurrency: 10,
      toleratedFailurePercentage: 10,
      linkExpirySeconds: 86_400,
      securityHub: false,
      eventBus: 'default',
      collectionDeadlineSeconds: 420,
    });
  });

  it('takes lists, "organization", numbers and booleans from strings', () => {
    const config = loadConfig({
      ...base,
      CALICO_AUDIT_ACCOUNTS: 'organization',
      CALICO_AUDIT_ORGANIZATION_ID: 'o-a1b2c3d4e5',
      CALICO_AUDIT_REGIONS: 'eu-west-2, us-east-1',
      CALICO_AUDIT_RECIPIENTS: 'secops@example.com,netops@example.com',
      CALICO_AUDIT_SENDER: 'calico-audit@example.com',
      CALICO_AUDIT_CONCURRENCY: '20',
      CALICO_AUDIT_TOLERATED_FAILURE_PERCENTAGE: '5',
      CALICO_AUDIT_MASK_EMAIL: 'false',
    });
    expect(config).toMatchObject({ accounts: 'organization', regions: ['eu-west-2', 'us-east-1'], concurrency: 20, toleratedFailurePercentage: 5, maskEmail: false });
    expect(config.recipients).toHaveLength(2);
  });

  it('reads a JSON file, with the environment taking precedence', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'config-')), 'config.json');
    writeFileSync(file, JSON.stringify({ accounts: ['111122223333'], regions: ['us-east-1'], bucket: 'from-file', prefix: 'audits/', externalId: 'calico-audit-test-external-id' }));
    expect(loadConfig({ CALICO_AUDIT_CONFIG: file, CALICO_AUDIT_BUCKET: 'from-env' })).toMatchObject({ bucket: 'from-env', regions: ['us-east-1'], prefix: 'audits/' });
  });

  it('lists every problem at once, one per line, naming the field', () => {
    const error = (() => {
      try {
        loadConfig({ CALICO_AUDIT_ACCOUNTS: '12345', CALICO_AUDIT_REGIONS: 'Europe', CALICO_AUDIT_RECIPIENTS: 'secops@example.com', CALICO_AUDIT_CONCURRENCY: 'lots' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.message.split('\n').slice(1)).toEqual([
      '  accounts.0 (CALICO_AUDIT_ACCOUNTS): must be a 12-digit AWS account id',
      '  regions.0 (CALICO_AUDIT_REGIONS): must be an AWS region such as eu-west-2',
      '  externalId (CALICO_AUDIT_EXTERNAL_ID): is required',
      '  bucket (CALICO_AUDIT_BUCKET): is required',
      '  concurrency (CALICO_AUDIT_CONCURRENCY): Invalid input: expected number, received string',
    ]);
  });

  it('has no default external id, and refuses a short one', () => {
    expect(() => loadConfig(without(base, 'CALICO_AUDIT_EXTERNAL_ID'))).toThrow(/externalId \(CALICO_AUDIT_EXTERNAL_ID\): is required/);
    expect(() => loadConfig({ ...base, CALICO_AUDIT_EXTERNAL_ID: 'calico-audit' })).toThrow(/externalId \(CALICO_AUDIT_EXTERNAL_ID\): must be at least 16 characters/);
  });

  it('requires the organization id with "organization", the boundary the member roles are assumed within', () => {
    expect(() => loadConfig({ ...base, CALICO_AUDIT_ACCOUNTS: 'organization' })).toThrow(/organizationId \(CALICO_AUDIT_ORGANIZATION_ID\): is required with accounts "organization"/);
    expect(() => loadConfig({ ...base, CALICO_AUDIT_ACCOUNTS: 'organization', CALICO_AUDIT_ORGANIZATION_ID: 'acme' })).toThrow(/must be an organization id/);
  });

  it('requires a sender when recipients are set', () => {
    expect(() => loadConfig({ ...base, CALICO_AUDIT_RECIPIENTS: 'secops@example.com' })).toThrow(/sender \(CALICO_AUDIT_SENDER\): sender is required/);
  });

  it('says which file it could not read', () => {
    expect(() => loadConfig({ CALICO_AUDIT_CONFIG: '/nonexistent/config.json' })).toThrow(/cannot read CALICO_AUDIT_CONFIG \/nonexistent\/config.json/);
  });
});

describe('calico-audit fleet', () => {
  it('exits 2 and lists every configuration problem before touching AWS', async () => {
    const { main } = await import('../src/cli/main.js');
    for (const name of Object.keys(process.env)) if (name.startsWith('CALICO_AUDIT_')) delete process.env[name];
    let stderr = '';
    const code = await main(['node', 'calico-audit', 'fleet', '--out', '/tmp/never-written'], {
      stdout: () => undefined,
      stderr: (t) => (stderr += t),
      stderrStream: process.stderr,
    });
    expect(code).toBe(2);
    expect(stderr.split('\n').filter(Boolean)).toEqual([
      'calico-audit: invalid configuration (CALICO_AUDIT_* variables):',
      '  accounts (CALICO_AUDIT_ACCOUNTS): is required',
      '  regions (CALICO_AUDIT_REGIONS): is required',
      '  externalId (CALICO_AUDIT_EXTERNAL_ID): is required',
      '  bucket (CALICO_AUDIT_BUCKET): is required',
    ]);
  });
});
