/**
 * The same cluster expressed in `projectcalico.org/v3` form (defaults filled in) and in raw
 * `crd.projectcalico.org/v1` form (defaults omitted, tier-prefixed names, legacy fields) reaches
 * identical verdicts on every rule.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/assess.js';
import { normalizeIpPool } from '../src/assess/normalize/calico.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';

const PAIRS: Array<[string, string]> = [
  ['reference-crosssubnet', 'reference-crosssubnet.v3'],
  ['enterprise-vxlan', 'enterprise-vxlan.crd-v1'],
];

const statuses = (name: string) => {
  const document = sampleDocument(name);
  const assessment = assess(validateSnapshot(document, name));
  return { apiGroup: document.calico.apiGroup, checks: assessment.checks.map((c) => `${c.id} ${c.status} ${c.severity}`), score: assessment.score };
};

describe('both Calico API groups give the same verdicts', () => {
  for (const [a, b] of PAIRS) {
    it(`${a} and ${b}`, () => {
      const first = statuses(a);
      const second = statuses(b);
      expect(new Set([first.apiGroup, second.apiGroup])).toEqual(new Set(['projectcalico.org/v3', 'crd.projectcalico.org/v1']));
      expect(second.checks).toEqual(first.checks);
      expect(second.score).toEqual(first.score);
    });
  }
});

describe('raw crd.projectcalico.org/v1 pools', () => {
  const raw = (spec: Record<string, unknown>) => normalizeIpPool({ apiVersion: 'crd.projectcalico.org/v1', kind: 'IPPool', metadata: { name: 'p' }, spec });

  it('fill in Calico defaults when fields are omitted', () => {
    expect(raw({ cidr: '192.168.0.0/16' })).toMatchObject({ ipipMode: 'Never', vxlanMode: 'Never', blockSize: 26, natOutgoing: false, nodeSelector: 'all()', disabled: false });
    expect(raw({ cidr: 'fd00:10:244::/64' })).toMatchObject({ ipVersion: 6, blockSize: 122 });
  });

  it('read the legacy ipip block and nat-outgoing flag', () => {
    expect(raw({ cidr: '192.168.0.0/16', ipip: { enabled: true, mode: 'cross-subnet' }, 'nat-outgoing': true })).toMatchObject({
      ipipMode: 'CrossSubnet',
      natOutgoing: true,
      legacyFields: ['spec.ipip', 'spec.nat-outgoing'],
    });
    expect(raw({ cidr: '192.168.0.0/16', ipip: { enabled: true } }).ipipMode).toBe('Always');
    expect(raw({ cidr: '192.168.0.0/16', ipip: { enabled: false, mode: 'always' } }).ipipMode).toBe('Never');
  });
});
