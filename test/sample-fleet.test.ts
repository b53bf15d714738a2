/**
 * The verdicts a reviewer checks first on the sample fleet: each sample was built to show one
 * situation, and the audit must call it right (a wrong critical costs trust, a missed one an outage).
 */
import { describe, expect, it } from 'vitest';
import { assess, type Assessment } from '../src/assess/assess.js';
import { validateSnapshot } from '../src/snapshot/load.js';
import { sampleDocument } from './helpers/fixtures.js';

const assessed = new Map<string, Assessment>();
function sample(name: string): Assessment {
  if (!assessed.has(name)) assessed.set(name, assess(validateSnapshot(sampleDocument(name), name)));
  return assessed.get(name)!;
}
const status = (name: string, id: string) => {
  const check = sample(name).checks.find((c) => c.id === id)!;
  return `${check.status}${check.status === 'fail' ? ` ${check.severity}` : ''}`;
};
const failedAt = (name: string, severity: string) =>
  sample(name).checks.filter((c) => c.status === 'fail' && c.severity === severity).map((c) => c.id);

describe('enterprise-vxlan (seed 001)', () => {
  it('is recognised as Calico Enterprise on a VXLAN overlay with BGP off', () => {
    const { facts } = sample('enterprise-vxlan');
    expect(facts.calico.variant).toBe('Calico Enterprise');
    expect(facts.cni.mode).toBe('calico-vxlan');
    expect(facts.bgp.mode).toBe('off');
    expect(facts.typha).toMatchObject({ deployed: true, desired: 2, ready: 2, podDisruptionBudget: true });
    expect(facts.topology).toMatchObject({ nodeCount: 4, multiSubnet: true });
    expect(facts.topology.availabilityZones).toHaveLength(3);
    expect(facts.policy.tiers?.map((t) => t.name)).toEqual(['allow-tigera', 'adminnetworkpolicy', 'namespace-isolation', 'default', 'baselineadminnetworkpolicy']);
  });

  it('flags the global default-allow-all and the missing default deny, and needs no src/dst change', () => {
    expect(status('enterprise-vxlan', 'CAL-POL-02')).toBe('fail high');
    expect(status('enterprise-vxlan', 'CAL-POL-01')).toBe('fail high');
    expect(status('enterprise-vxlan', 'CAL-AWS-01')).toBe('not_applicable');
    expect(status('enterprise-vxlan', 'CAL-AWS-04')).toBe('pass');
    expect(status('enterprise-vxlan', 'CAL-RT-04')).toBe('pass');
    expect(status('enterprise-vxlan', 'CAL-ENC-01')).toBe('fail medium');
    expect(failedAt('enterprise-vxlan', 'critical')).toEqual([]);
  });
});

describe('reference-crosssubnet (built as seed 002 recommends)', () => {
  it('passes every critical and high rule', () => {
    const { checks } = sample('reference-crosssubnet');
    expect(failedAt('reference-crosssubnet', 'critical')).toEqual([]);
    expect(failedAt('reference-crosssubnet', 'high')).toEqual([]);
    for (const id of ['CAL-RT-01', 'CAL-AWS-01', 'CAL-AWS-02', 'CAL-AWS-03', 'CAL-POL-01', 'CAL-POL-04', 'CAL-DS-02', 'CAL-RT-07'])
      expect(checks.find((c) => c.id === id)?.status, id).toBe('pass');
    expect(sample('reference-crosssubnet').facts.cni.mode).toBe('calico-ipip-crosssubnet');
    expect(['A', 'B']).toContain(sample('reference-crosssubnet').score.grade);
    expect(sample('reference-crosssubnet').score.coverage).toBe(1);
  });
});

describe('native-multisubnet-srcdst', () => {
  it('finds the two criticals: native routing across subnets, and src/dst checks still on', () => {
    expect(status('native-multisubnet-srcdst', 'CAL-RT-01')).toBe('fail critical');
    expect(status('native-multisubnet-srcdst', 'CAL-AWS-01')).toBe('fail critical');
    const srcDst = sample('native-multisubnet-srcdst').checks.find((c) => c.id === 'CAL-AWS-01')!;
    expect(srcDst.summary).toContain('lacks the IAM permission');
    expect(srcDst.remediation).toContain('--no-source-dest-check');
    expect(sample('native-multisubnet-srcdst').score.grade).not.toMatch(/[ABC]/);
  });
});

describe('mesh-120-no-typha', () => {
  it('asks for Typha and route reflectors at high severity', () => {
    expect(sample('mesh-120-no-typha').facts.topology.nodeCount).toBe(120);
    expect(status('mesh-120-no-typha', 'CAL-DS-02')).toBe('fail high');
    expect(status('mesh-120-no-typha', 'CAL-BGP-01')).toBe('fail high');
  });
});

describe('vpc-cni-policy-only', () => {
  it('leaves routing, BGP, IPAM and encapsulation rules out, and still judges datastore, Typha and policy', () => {
    const { facts, checks } = sample('vpc-cni-policy-only');
    expect(facts.cni.mode).toBe('aws-vpc-cni-policy-only');
    const byId = new Map(checks.map((c) => [c.id, c.status]));
    for (const id of ['CAL-RT-01', 'CAL-RT-02', 'CAL-RT-03', 'CAL-RT-04', 'CAL-RT-05', 'CAL-RT-06', 'CAL-RT-07', 'CAL-AWS-01', 'CAL-AWS-02', 'CAL-AWS-03', 'CAL-AWS-04', 'CAL-AWS-07', 'CAL-BGP-01', 'CAL-IPAM-01', 'CAL-IPAM-04'])
      expect(byId.get(id), id).toBe('not_applicable');
    for (const id of ['CAL-DS-01', 'CAL-DS-02', 'CAL-DS-03', 'CAL-DS-04', 'CAL-POL-01', 'CAL-ENC-01']) expect(byId.get(id), id).not.toBe('not_applicable');
  });
});

describe('ec2-denied', () => {
  it('reports the AWS-layer rules as unknown with the AccessDenied error, never as passed', () => {
    const { checks, score } = sample('ec2-denied');
    for (const id of ['CAL-AWS-01', 'CAL-AWS-02', 'CAL-AWS-03']) {
      const check = checks.find((c) => c.id === id)!;
      expect(check.status, id).toBe('unknown');
      expect(JSON.stringify(check.evidence)).toContain('UnauthorizedOperation');
    }
    expect(score.coverage).toBeLessThan(1);
  });
});
