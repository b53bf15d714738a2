/**
 * CAL-POL-03 — every non-system namespace that runs pods is selected by at least one policy.
 *
 * Seed 001 counts "Namespaces with Policies: 10+ namespaces"; seed 002: "Normally, administrators
 * need to ensure default policy rules are deployed to every namespace", or a GlobalNetworkPolicy
 * does it for them. A namespace no policy selects lets its pods accept and send anything.
 */
import { isSystemNamespace } from '../../../reference/index.js';
import type { Namespace, Pod } from '../../model.js';
import { allowsEverything, namespacesWithoutPolicy, podNetworkPods } from '../../policy-analysis.js';
import { cmd, loop, note, value, variable, yaml, type Remediation } from '../../remediation.js';
import { defineRule, listSome, type RuleContext } from '../../rule.js';
import { calicoPresent } from '../applies.js';

/** Pods that run (or are about to) on the pod network of a non-system namespace. */
const workloadPods = (pods: Pod[]): Pod[] => podNetworkPods(pods).filter((p) => !isSystemNamespace(p.namespace));

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
  area: 'POL',
  severities: ['medium'],
  seed: '001 "Namespaces with Policies"; 002 namespace policies',
  appliesWhen(context: RuleContext) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    const pods = context.need(context.model.pods, 'kubernetes.pods');
    return workloadPods(pods).length ? true : 'No pod on the pod network runs in a non-system namespace.';
  },
  evaluate({ model, need }) {
    const pods = workloadPods(need(model.pods, 'kubernetes.pods'));
    const policies = need(model.policies, 'calico.globalNetworkPolicies', 'calico.networkPolicies', 'kubernetes.networkPolicies');
    const namespaces = need(model.namespaces, 'kubernetes.namespaces');
    const podLabelsByNamespace = new Map<string, Array<Record<string, string>>>();
    for (const pod of pods) podLabelsByNamespace.set(pod.namespace, [...(podLabelsByNamespace.get(pod.namespace) ?? []), pod.labels]);
    const running: Namespace[] = [...podLabelsByNamespace.keys()]
      .sort()
      .map((name) => namespaces.find((n) => n.name === name) ?? { name, labels: { 'kubernetes.io/metadata.name': name } });
    const constraining = policies.filter((p) => !allowsEverything(p));
    const uncovered = namespacesWithoutPolicy(constraining, running, podLabelsByNamespace);
    if (!uncovered.length) {
      return {
        status: 'pass',
        summary:
          running.length === 1
            ? `The only non-system namespace that runs pods (${running[0]!.name}, ${pods.length} pods) is selected by at least one network policy.`
            : `All ${running.length} non-system namespaces that run pods (${pods.length} pods) are selected by at least one network policy.`,
      };
    }
    const ignored = policies.filter(allowsEverything).map((p) => p.name);
    return {
      status: 'fail',
      severity: 'medium',
      summary:
        `${uncovered.length} of ${running.length} non-system namespaces that run pods are selected by no network policy ` +
        `(${listSome(uncovered, 5)}): their pods accept and send any traffic.` +
        (ignored.length ? ` ${listSome(ignored)} ${ignored.length > 1 ? 'allow' : 'allows'} everything and ${ignored.length > 1 ? 'do' : 'does'} not count.` : ''),
      evidence: uncovered.map((name) => ({
        object: `Namespace ${name}`,
        field: 'pods',
        value: podLabelsByNamespace.get(name)?.length ?? 0,
        note: 'no Kubernetes or Calico policy in the namespace, and no global policy selects its pods',
      })),
      remediation: isolationManifest(uncovered),
      objects: uncovered.map((name) => ({ kind: 'Namespace', name })),
    };
  },
});
