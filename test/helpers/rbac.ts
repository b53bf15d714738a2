/** Reads infra/k8s/calico-auditor-rbac.yaml and answers what its ClusterRole allows, as Kubernetes RBAC would. */
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

export function auditorRules(): PolicyRule[] {
  const role = rbacDocuments().find((d) => d['kind'] === 'ClusterRole');
  if (!role) throw new Error(`${RBAC_FILE}: no ClusterRole`);
  return role['rules'] as PolicyRule[];
}

/** Every grant a rule list makes, as `group|resource|verb|name` (`*` = any name) or `url|verb`. */
export function grantsOf(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) {
    for (const verb of rule.verbs) {
      for (const url of rule.nonResourceURLs ?? []) out.add(`${url}|${verb}`);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          for (const name of rule.resourceNames?.length ? rule.resourceNames : ['*']) out.add(`${group}|${resource}|${verb}|${name}`);
        }
      }
    }
  }
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
export function allowsRequest(rules: PolicyRule[], requestPath: string, query: Record<string, string>): boolean {
  if (!requestPath.startsWith('/api/') && !requestPath.startsWith('/apis/')) {
    return rules.some((r) => (r.nonResourceURLs ?? []).includes(requestPath) && r.verbs.includes('get'));
  }
  const parts = requestPath.split('/').filter(Boolean);
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1]!, parts.slice(3)];
  const scoped = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  const [resource, name] = scoped as [string, string | undefined];
  const verb = name === undefined ? 'list' : 'get';
  if (!allows(rules, group, resource, verb, name)) return false;
  const tiers = /^projectcalico\.org\/tier in \(([^)]*)\)$/.exec(query['labelSelector'] ?? '')?.[1]?.split(',');
  if (group === 'projectcalico.org' && /policies$/.test(resource)) {
    if (!tiers) return false;
    return tiers.every((tier) => allows(rules, group, 'tiers', 'get', tier) && allows(rules, group, `tier.${resource}`, verb, `${tier}.*`));
  }
  return true;
}
