/**
 * CAL-POL-03 — every non-system namespace that runs pods is selected by a policy that constrains it.
 *
 * Seed 001 counts "Namespaces with Policies: 10+ namespaces"; seed 002: "Normally, administrators
 * need to ensure default policy rules are deployed to every namespace", or a GlobalNetworkPolicy
 * does it for them. Judged on what passes: a namespace counts when some policy that applies to
 * one of its pods denies something there (traffic no rule names, or by a Deny rule); a policy that
 * allows everything it sees constrains nothing.
 */
import { isSystemNamespace } from '../../../reference/index.js';
import { namespaceConstraints, workloadNamespaces } from '../../reach/checks.js';
import { podNetworkPods } from '../../reach/cluster.js';
import { MAYBE, NO } from '../../selector.js';
import { cmd, loop, note, value, variable, yaml, type Remediation } from '../../remediation.js';
import { defineRule, listSome, type RuleContext } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { clusterReach } from './policies.js';

function isolationManifest(namespaces: string[]): Remediation {
  return [
    note('Write each namespace the policies its workloads need. A first step that isolates a namespace from the'),
    note('others (check first which ingress controllers, monitoring or webhooks reach into it):'),
    loop(
      'ns',
      namespaces.map((ns) => value(ns, 'namespace')),
      {
        ...cmd('kubectl', 'apply', '-n', variable('ns'), '-f', '-'),
        input: yaml`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector: {}`,
      },
    ),
    note('or cover every namespace at once with a cluster-wide default deny (CAL-POL-01)'),
  ];
}

export default defineRule({
  id: 'CAL-POL-03',
  title: 'Every non-system namespace that runs pods is selected by a network policy',
  problem: 'Namespaces run pods that no network policy selects',
  why: 'those pods accept and send any traffic',
  area: 'POL',
  severities: ['medium'],
  seed: '001 "Namespaces with Policies"; 002 namespace policies',
  appliesWhen(context: RuleContext) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    const pods = context.need(context.model.pods, 'kubernetes.pods');
    return podNetworkPods(pods).some((p) => !isSystemNamespace(p.namespace)) ? true : 'No pod on the pod network runs in a non-system namespace.';
  },
  evaluate(context) {
    context.need(context.model.pods, 'kubernetes.pods');
    const analysis = clusterReach(context);
    const constraints = namespaceConstraints(analysis);
    const namespaces = workloadNamespaces(analysis.cluster);
    const podCount = namespaces.reduce((sum, ns) => sum + (analysis.cluster.byNamespace.get(ns) ?? []).reduce((n, g) => n + g.pods, 0), 0);
    const uncovered = namespaces.filter((ns) => constraints.get(ns) === NO);
    const undecided = namespaces.filter((ns) => constraints.get(ns) === MAYBE);
    const pods = (ns: string) => (analysis.cluster.byNamespace.get(ns) ?? []).reduce((n, g) => n + g.pods, 0);
    if (uncovered.length) {
      return {
        status: 'fail',
        severity: 'medium',
        summary:
          `${uncovered.length} of ${namespaces.length} non-system namespaces that run pods are constrained by no network policy ` +
          `(${listSome(uncovered, 5)}): their pods accept and send any traffic.`,
        evidence: uncovered.map((name) => ({
          object: `Namespace ${name}`,
          field: 'pods',
          value: pods(name),
          note: 'no policy that applies to its pods denies anything: traffic no rule names passes both ways',
        })),
        remediation: isolationManifest(uncovered),
        objects: uncovered.map((name) => ({ kind: 'Namespace', name })),
      };
    }
    if (undecided.length) {
      return {
        status: 'unknown',
        summary: `Whether a policy constrains ${listSome(undecided)} cannot be decided from the snapshot (selectors on labels it does not hold).`,
        evidence: undecided.map((name) => ({ object: `Namespace ${name}`, field: 'pods', value: pods(name), note: 'policies may or may not apply to its pods' })),
      };
    }
    return {
      status: 'pass',
      summary:
        namespaces.length === 1
          ? `The only non-system namespace that runs pods (${namespaces[0]}, ${podCount} pods) is constrained by a network policy.`
          : `All ${namespaces.length} non-system namespaces that run pods (${podCount} pods) are constrained by a network policy.`,
    };
  },
});
