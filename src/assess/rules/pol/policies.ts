/** What the CAL-POL rules share: the cluster's reachability model, flow evidence, and where a new policy must sit to act first. */
import type { Policy } from '../../model.js';
import type { FlowResult, ReachAnalysis } from '../../reach/analysis.js';
import { reachAnalysis } from '../../reach/analysis.js';
import type { FlowCheck } from '../../reach/checks.js';
import { decidingPolicy, defaultDenyCheck, sidesVerdict } from '../../reach/checks.js';
import type { TraceStep } from '../../reach/engine.js';
import { cmd, selectorLiteral, value, yaml, yamlLines, type Command, type Yaml } from '../../remediation.js';
import { listSome, type Evidence, type RuleContext } from '../../rule.js';

/**
 * The reachability model of the cluster's policies. Unknown when a policy list was not collected
 * (naming it), or when a policy sits in a tier whose order the snapshot does not give.
 */
export function clusterReach({ model, need }: RuleContext): ReachAnalysis {
  need(model.policies, ...model.policyGaps);
  const analysis = reachAnalysis(model)!;
  if (analysis.cluster.compiled.unorderedTiers.length) need(model.tiers, 'calico.tiers');
  return analysis;
}

/** A cluster-wide default deny of some direction: a namespace created tomorrow is denied ingress or egress. */
export function clusterDenies(context: RuleContext): boolean {
  const probe = defaultDenyCheck(clusterReach(context)).probes[0]!;
  return sidesVerdict(probe.ingress) === 'denied' || sidesVerdict(probe.egress) === 'denied';
}

/** A flow as evidence: the flow, its verdict, and what each side did. */
export const flowEvidence = (flow: FlowResult): Evidence => ({
  object: `${flow.from} → ${flow.to} ${flow.traffic}`,
  value: flow.verdict,
  note: [flow.egress?.sentence, flow.ingress?.sentence].filter(Boolean).join('; '),
});

/** Evidence of a check's failing flows, with how many there were. */
export function flowCheckEvidence(check: FlowCheck): Evidence[] {
  const evidence = check.failures.map(flowEvidence);
  const shown = check.failures.length;
  if (check.failing + check.undecided > shown) {
    evidence.push({
      object: check.label,
      note: `${check.failing} of ${check.total} pod-to-pod flows denied${check.undecided ? `, ${check.undecided} unknown` : ''}; the first ${shown} are traced above`,
    });
  }
  return evidence;
}

/** A failing check as a clause: `CoreDNS → the VPC resolver (4 of 4 flows)`. */
export const failingClause = (check: FlowCheck): string =>
  `${check.label.replace(/ \(.*\)$/, '')} (${check.failing} of ${check.total} ${check.total === 1 ? 'flow' : 'flows'})`;

/** Clauses joined: `a, b and c`. */
export const joinClauses = (clauses: string[]): string => (clauses.length <= 1 ? clauses.join('') : `${clauses.slice(0, -1).join(', ')} and ${clauses.at(-1)}`);

/**
 * Where a policy that allows the traffic must go to act before whatever refused it: in the tier
 * that decided, ordered ahead of the policy that decided (an explicit Deny) or of the last one
 * consulted (the tier's end action).
 */
export function placementFor(steps: readonly TraceStep[]): { tier: string; order: number } {
  const decided = decidingPolicy(steps);
  if (!decided) return { tier: 'default', order: 900 };
  const order = decided.policy?.policy.order;
  return { tier: decided.tier, order: order === null || order === undefined ? 2000 : Math.max(0, order - 10) };
}

/**
 * `calicoctl apply -f -` of a GlobalNetworkPolicy at a placement; `spec` holds the lines under
 * `spec:` after the tier and order (selectors, types, rules).
 */
export function policyAt(placement: { tier: string; order: number }, baseName: string, spec: Yaml): Command {
  const name = placement.tier === 'default' ? baseName : `${placement.tier}.${baseName}`;
  const head = yaml`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: ${name}
spec:`;
  const tier = placement.tier === 'default' ? [] : [yaml`  tier: ${placement.tier}`];
  return { ...cmd('calicoctl', 'apply', '-f', '-'), input: yamlLines(head, ...tier, yaml`  order: ${placement.order}`, spec) };
}

/** A selector matching namespaces by name (`kubernetes.io/metadata.name in {'a', 'b'}`); names no literal can hold are left out. */
export function namespaceNameSelector(names: readonly string[], operator: 'in' | 'not in' = 'in'): string {
  const literals = names.map(selectorLiteral).filter((literal): literal is string => literal !== null);
  return `kubernetes.io/metadata.name ${operator} {${literals.join(', ')}}`;
}

/**
 * A Calico policy's name as `calicoctl` takes it: bare in the `default` tier (raw CRDs store it
 * as `default.<name>`), as stored in any other tier (`<tier>.<name>` where the tier prefix is used).
 */
export const calicoPolicyName = (policy: Policy): string => (policy.tier === 'default' ? policy.name : policy.ref.name);

/** The command that deletes a policy, whatever its kind. */
export function deleteCommand(policy: Policy): Command {
  const name = (text: string) => value(text, 'policy name');
  const namespace = value(policy.namespace ?? 'default', 'namespace');
  switch (policy.kind) {
    case 'GlobalNetworkPolicy':
      return cmd('calicoctl', 'delete', 'globalnetworkpolicy', name(calicoPolicyName(policy)));
    case 'NetworkPolicy':
      return cmd('calicoctl', 'delete', 'networkpolicy', name(calicoPolicyName(policy)), '-n', namespace);
    case 'KubernetesNetworkPolicy':
      return cmd('kubectl', 'delete', 'networkpolicy', name(policy.name), '-n', namespace);
    case 'AdminNetworkPolicy':
      return cmd('kubectl', 'delete', 'adminnetworkpolicy', name(policy.name));
    case 'BaselineAdminNetworkPolicy':
      return cmd('kubectl', 'delete', 'baselineadminnetworkpolicy', name(policy.name));
    case 'ClusterNetworkPolicy':
      return cmd('kubectl', 'delete', 'clusternetworkpolicy', name(policy.name));
  }
}

export { listSome };
