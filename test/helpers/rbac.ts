/** Reads infra/k8s/calico-auditor-rbac.yaml and answers what its roles and bindings allow the auditors' group, as Kubernetes RBAC would. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './fixtures.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export const RBAC_FILE = path.join(ROOT, 'infra/k8s/calico-auditor-rbac.yaml');

export function rbacDocuments(): Array<Record<string, unknown>> {
  return parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);
}

export const AUDITOR_GROUP = 'calico-auditors';

/** The parts of an RBAC document these helpers read. */
interface RbacDocument {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { kind: string; name: string };
  subjects?: Array<{ kind: string; name: string }>;
}

/** What the auditors' group may do: rules bound cluster-wide, and rules bound in each namespace. */
export interface AuditorAccess {
  cluster: PolicyRule[];
  namespaced: Map<string, PolicyRule[]>;
}

/** The rules of the ClusterRoles (or Roles) bound to the auditors' group, by where they are bound. */
export function auditorAccess(): AuditorAccess {
  const documents = rbacDocuments() as RbacDocument[];
  const roleRules = (kind: string, name: string, namespace?: string): PolicyRule[] => {
    const role = documents.find((d) => d.kind === kind && d.metadata?.name === name && (kind === 'ClusterRole' || d.metadata?.namespace === namespace));
    if (!role?.rules) throw new Error(`${RBAC_FILE}: no ${kind} ${name}`);
    return role.rules;
  };
  const forAuditors = (binding: RbacDocument) => (binding.subjects ?? []).some((s) => s.kind === 'Group' && s.name === AUDITOR_GROUP);
  const access: AuditorAccess = { cluster: [], namespaced: new Map() };
  for (const binding of documents.filter((d) => d.kind === 'ClusterRoleBinding' && forAuditors(d))) {
    access.cluster.push(...roleRules('ClusterRole', binding.roleRef!.name));
  }
  for (const binding of documents.filter((d) => d.kind === 'RoleBinding' && forAuditors(d))) {
    const namespace = binding.metadata!.namespace!;
    const rules = roleRules(binding.roleRef!.kind, binding.roleRef!.name, namespace);
    access.namespaced.set(namespace, [...(access.namespaced.get(namespace) ?? []), ...rules]);
  }
  return access;
}

/** Every rule of the roles the auditors' group is bound to, wherever bound (for checks on verbs and resources). */
export const auditorRules = (): PolicyRule[] => {
  const access = auditorAccess();
  return [...access.cluster, ...[...access.namespaced.values()].flat()];
};

/** Every grant a rule list makes, as `group|resource|verb|name` (`*` = any name) or `url|verb`; prefixed with `scope|` when given. */
export function grantsOf(rules: PolicyRule[], scope?: string): Set<string> {
  const out = new Set<string>();
  const prefix = scope === undefined ? '' : `${scope}|`;
  for (const rule of rules) {
    for (const verb of rule.verbs) {
      for (const url of rule.nonResourceURLs ?? []) out.add(`${prefix}${url}|${verb}`);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const name of rule.resourceNames?.length ? rule.resourceNames : ['*']) out.add(`${prefix}${group}|${resource}|${verb}|${name}`);
        }
      }
    }
  }
  return out;
}

/** Every grant the auditors' group holds, as `scope|…` (`cluster` or a namespace). */
export function auditorGrants(access: AuditorAccess = auditorAccess()): Set<string> {
  const out = grantsOf(access.cluster, 'cluster');
  for (const [namespace, rules] of access.namespaced) for (const grant of grantsOf(rules, namespace)) out.add(grant);
  return out;
}

/** Whether the rules allow one resource request (a name restriction matches only that name). */
export function allows(rules: PolicyRule[], group: string, resource: string, verb: string, name?: string): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes(group) &&
      (r.resources ?? []).includes(resource) &&
      r.verbs.includes(verb) &&
      (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
  );
}

/**
 * Whether the rules allow a GET the collector made, path and query as sent. Calico's tiered
 * policy lists in projectcalico.org also need `get` on each named tier and `list` on the
 * `tier.<plural>` pseudo-resource (the Calico API server's own check).
 */
export function allowsRequest(access: AuditorAccess, requestPath: string, query: Record<string, string>): boolean {
  const rules = access.cluster;
  if (!requestPath.startsWith('/api/') && !requestPath.startsWith('/apis/')) {
    return rules.some((r) => (r.nonResourceURLs ?? []).includes(requestPath) && r.verbs.includes('get'));
  }
  const parts = requestPath.split('/').filter(Boolean);
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1]!, parts.slice(3)];
  const namespace = rest[0] === 'namespaces' && rest.length >= 3 ? rest[1] : undefined;
  const scoped = namespace !== undefined ? rest.slice(2) : rest;
  const [resource, name] = scoped as [string, string | undefined];
  const verb = name === undefined ? 'list' : 'get';
  // A request in a namespace is allowed by cluster-wide rules or by the rules bound in that namespace.
  const inScope = namespace !== undefined ? [...rules, ...(access.namespaced.get(namespace) ?? [])] : rules;
  if (!allows(inScope, group, resource, verb, name)) return false;
  const tiers = /^projectcalico\.org\/tier in \(([^)]*)\)$/.exec(query['labelSelector'] ?? '')?.[1]?.split(',');
  if (group === 'projectcalico.org' && /policies$/.test(resource) && resource !== 'stagedkubernetesnetworkpolicies') {
    if (!tiers) return false;
    return tiers.every((tier) => allows(rules, group, 'tiers', 'get', tier) && allows(rules, group, `tier.${resource}`, verb, `${tier}.*`));
  }
  return true;
}
