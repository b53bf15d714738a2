/** Least privilege: the ClusterRole and the IAM policy grant exactly what the collector reads, read-only. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPONENT_NAMESPACES, grantsNeeded, KUBE_RESOURCES, NON_RESOURCE_PATHS, possibleApisOf, tierPseudoResource } from '../../src/collect/kube/resources.js';
import { ROOT } from '../helpers/fixtures.js';
import { AUDITOR_GROUP, auditorGrants, auditorRules, rbacDocuments } from '../helpers/rbac.js';

/** What the resource table says the collector needs, in the form `auditorGrants` writes (`scope|…`). */
function neededGrants(): Set<string> {
  const out = new Set<string>(NON_RESOURCE_PATHS.map((url) => `cluster|${url}|get`));
  for (const resource of KUBE_RESOURCES) {
    // A namespaced read is granted in each of its namespaces, never cluster-wide.
    for (const grant of grantsNeeded(resource)) out.add(`${grant.scope}|${grant.group}|${grant.plural}|${grant.verb}|${grant.name}`);
    for (const api of possibleApisOf(resource)) {
      if (resource.tiered && api.group === 'projectcalico.org') {
        out.add(`cluster|${api.group}|tiers|get|*`);
        out.add(`cluster|${api.group}|${tierPseudoResource(resource)}|list|*`);
      }
    }
  }
  return out;
}

describe('Kubernetes RBAC (infra/k8s/calico-auditor-rbac.yaml)', () => {
  const rules = auditorRules();

  it('grants every read in the collector table, including the tier pseudo-resources, and nothing more', () => {
    expect([...auditorGrants()].sort()).toEqual([...neededGrants()].sort());
  });

  it('reads workloads and their budgets only in the namespaces Calico runs in, never cluster-wide', () => {
    const grants = [...auditorGrants()];
    for (const resource of ['daemonsets', 'deployments', 'poddisruptionbudgets']) {
      expect(grants.filter((g) => g.includes(`|${resource}|`)).map((g) => g.split('|')[0]).sort()).toEqual(['calico-system', 'kube-system', 'tigera-operator']);
    }
    expect(COMPONENT_NAMESPACES).toEqual(['kube-system', 'calico-system', 'tigera-operator']);
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

  it('is bound to one group, by a ClusterRoleBinding and a RoleBinding per Calico namespace', () => {
    type Binding = { kind: string; metadata: { namespace?: string }; roleRef: { name: string }; subjects: unknown };
    const bindings = (rbacDocuments() as Binding[]).filter((d) => d.kind === 'ClusterRoleBinding' || d.kind === 'RoleBinding');
    expect(bindings.map((b) => `${b.kind} ${b.metadata.namespace ?? ''} ${b.roleRef.name}`).sort()).toEqual([
      'ClusterRoleBinding  calico-auditor',
      'RoleBinding calico-system calico-auditor-components',
      'RoleBinding kube-system calico-auditor-components',
      'RoleBinding tigera-operator calico-auditor-components',
    ]);
    for (const binding of bindings) expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: AUDITOR_GROUP }]);
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
    // Only roles inside the organization (or, edited, a list of accounts via aws:ResourceAccount).
    expect(hub.Statement[0]!['Condition']).toEqual({ StringEquals: { 'aws:ResourceOrgID': 'ORGANIZATION_ID' } });
    const trust = iamPolicy('collector-trust-policy.json');
    expect(trust.Statement[0]!['Condition']).toHaveProperty(['StringEquals', 'sts:ExternalId']);
  });
});
