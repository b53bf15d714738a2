/** Least privilege: the ClusterRole and the IAM policy grant exactly what the collector reads, read-only. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBE_RESOURCES, NON_RESOURCE_PATHS, possibleApisOf, tierPseudoResource } from '../../src/collect/kube/resources.js';
import { ROOT } from '../helpers/fixtures.js';
import { auditorRules, grantsOf, rbacDocuments } from '../helpers/rbac.js';

/** What the resource table says the collector needs, in the form `grantsOf` writes. */
function neededGrants(): Set<string> {
  const out = new Set<string>(NON_RESOURCE_PATHS.map((url) => `${url}|get`));
  for (const resource of KUBE_RESOURCES) {
    for (const api of possibleApisOf(resource)) {
      out.add(`${api.group}|${resource.plural}|${resource.verb}|${resource.verb === 'get' ? resource.name : '*'}`);
      if (resource.tiered && api.group === 'projectcalico.org') {
        out.add(`${api.group}|tiers|get|*`);
        out.add(`${api.group}|${tierPseudoResource(resource)}|list|*`);
      }
    }
  }
  return out;
}

describe('Kubernetes ClusterRole (infra/k8s/calico-auditor-rbac.yaml)', () => {
  const rules = auditorRules();

  it('grants every read in the collector table, including the tier pseudo-resources, and nothing more', () => {
    expect([...grantsOf(rules)].sort()).toEqual([...neededGrants()].sort());
  });

  it('uses only the verbs get and list, and no wildcards', () => {
    for (const rule of rules) {
      expect(rule.verbs.every((v) => v === 'get' || v === 'list'), JSON.stringify(rule)).toBe(true);
      expect(JSON.stringify(rule)).not.toContain('*');
    }
  });

  it('never grants Secrets', () => {
    expect(rules.flatMap((r) => r.resources ?? [])).not.toContain('secrets');
  });

  it('is bound to a group by a ClusterRoleBinding', () => {
    const binding = rbacDocuments().find((d) => d['kind'] === 'ClusterRoleBinding')!;
    expect(binding['roleRef']).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'calico-auditor' });
    expect(binding['subjects']).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'calico-auditors' }]);
  });
});

/** The IAM service prefix of each SDK client package the collector imports. */
const IAM_PREFIX: Record<string, string> = { eks: 'eks', ec2: 'ec2', 'auto-scaling': 'autoscaling' };

/** `eks:DescribeCluster`, … for every command and paginator the AWS collector modules import. */
function awsActionsInCode(): Set<string> {
  const dir = path.join(ROOT, 'src/collect/aws');
  const actions = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const [, names, client] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(eks|ec2|auto-scaling)'/g)) {
      for (const raw of names!.split(',')) {
        const name = raw.trim();
        if (name.startsWith('type ')) continue;
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!operation) continue;
        // paginateX calls exactly the operation X.
        actions.add(`${IAM_PREFIX[client!]}:${operation}`);
      }
    }
  }
  return actions;
}

const iamPolicy = (file: string) => JSON.parse(readFileSync(path.join(ROOT, 'infra/iam', file), 'utf8')) as { Statement: Array<Record<string, unknown>> };
const actionsOf = (policy: { Statement: Array<Record<string, unknown>> }) => policy.Statement.flatMap((s) => [s['Action']].flat() as string[]);

describe('IAM policy for collection (infra/iam/collector-policy.json)', () => {
  const policy = iamPolicy('collector-policy.json');

  it('allows exactly the EKS, EC2 and Auto Scaling calls the collector makes', () => {
    const inCode = awsActionsInCode();
    expect(inCode.size).toBe(11);
    expect(inCode).toContain('autoscaling:DescribeAutoScalingGroups');
    expect(actionsOf(policy).sort()).toEqual([...inCode].sort());
  });

  it('is read-only, with no wildcard action and no user-data access', () => {
    for (const statement of policy.Statement) expect(statement['Effect']).toBe('Allow');
    for (const action of actionsOf(policy)) {
      expect(action).toMatch(/^(eks|ec2|autoscaling):(Describe|List)[A-Za-z]+$/);
      expect(action).not.toContain('*');
    }
    expect(actionsOf(policy)).not.toContain('ec2:DescribeInstanceAttribute');
  });

  it('leaves sts:AssumeRole to the hub identity, on the audit role only', () => {
    expect(actionsOf(policy)).not.toContain('sts:AssumeRole');
    const hub = iamPolicy('hub-assume-policy.json');
    expect(actionsOf(hub)).toEqual(['sts:AssumeRole']);
    expect(hub.Statement[0]!['Resource']).toMatch(/:role\/CalicoAuditReadOnly$/);
    const trust = iamPolicy('collector-trust-policy.json');
    expect(trust.Statement[0]!['Condition']).toHaveProperty(['StringEquals', 'sts:ExternalId']);
  });
});
