/**
 * CAL-POL-05 — under a default deny, kube-system components can still do their jobs.
 *
 * Seed 002's `global-deny-all` keeps "# Allow all egress traffic from kube-system" and "# Allow
 * all ingress traffic for the kube-system namespace": the deny "denies all pod network traffic by
 * default, except for workloads in kube-system". "kube-system works" (the catalogue): its pods may
 * send to the API server and anywhere they are asked to, and accept from every namespace — judged
 * on kube-system's own sides (its egress, its ingress) through every tier, so a higher tier that
 * ends in Deny before the default tier drops kube-system's traffic as surely as the deny would.
 */
import type { FlowResult } from '../../reach/analysis.js';
import { kubeSystemCheck } from '../../reach/checks.js';
import { note, yaml, yamlLines, type Remediation, type Step } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { clusterDenies, clusterReach, failingClause, flowCheckEvidence, joinClauses, placementFor, policyAt } from './policies.js';

/** A global policy, where it acts first, that lets kube-system's pods send and accept anything. */
function allowKubeSystemManifest(failures: FlowResult[]): Remediation {
  const egress = failures.find((f) => f.egress?.verdict === 'denied')?.egress;
  const ingress = failures.find((f) => f.ingress?.verdict === 'denied')?.ingress;
  const steps: Step[] = [note('Each policy goes in the tier that refused the traffic, ahead of the policy that did.')];
  for (const [direction, side] of [['Egress', egress], ['Ingress', ingress]] as const) {
    if (!side) continue;
    const rules = direction === 'Egress' ? yaml`  egress:` : yaml`  ingress:`;
    steps.push(
      policyAt(
        placementFor(side.steps),
        `allow-kube-system-${direction.toLowerCase()}`,
        yamlLines(yaml`  namespaceSelector: kubernetes.io/metadata.name == 'kube-system'
  types:
    - ${direction}`, rules, yaml`    - action: Allow`),
      ),
    );
  }
  return steps;
}

export default defineRule({
  id: 'CAL-POL-05',
  title: 'Under a default deny, kube-system components can still do their jobs',
  problem: 'Policy cuts off kube-system components',
  why: 'kube-system components lose traffic they need',
  area: 'POL',
  severities: ['medium'],
  seed: '002 kube-system rules',
  keyFact: { section: 'policy', label: 'kube-system traffic through every tier' },
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    context.need(context.model.pods, 'kubernetes.pods');
    const check = kubeSystemCheck(clusterReach(context));
    if (!check.groups.length) return 'No kube-system pod runs on the pod network: policy does not apply to kube-system.';
    const checks = [check.egress, check.ingress, ...(check.apiServer ? [check.apiServer] : [])];
    if (!clusterDenies(context) && !check.underDefaultDeny && checks.every((c) => !c.failing && !c.undecided)) {
      return "No default deny applies to kube-system's pods and no policy blocks their traffic.";
    }
    return true;
  },
  evaluate(context) {
    const analysis = clusterReach(context);
    const check = kubeSystemCheck(analysis);
    const checks = [...(check.apiServer ? [check.apiServer] : []), check.egress, check.ingress];
    const evidence: Evidence[] = checks.flatMap(flowCheckEvidence);
    const failed = checks.filter((c) => c.failing);
    if (failed.length) {
      const failures = failed.flatMap((c) => c.failures.filter((f) => f.verdict === 'denied'));
      return {
        status: 'fail',
        severity: 'medium',
        summary:
          `kube-system's own traffic is refused: ${joinClauses(failed.map(failingClause))} ${failed.length === 1 && failed[0]!.failing === 1 ? 'is' : 'are'} denied, e.g. ${failures[0]!.sentence}. ` +
          'CoreDNS, metrics-server and the add-ons there lose what they need.',
        evidence,
        remediation: allowKubeSystemManifest(failures),
      };
    }
    if (checks.some((c) => c.undecided) || !check.apiServer) {
      const unsure = checks.find((c) => c.undecided);
      return {
        status: 'unknown',
        summary: unsure
          ? `Whether kube-system keeps its traffic cannot be decided from the snapshot: ${unsure.failures[0]?.sentence ?? unsure.label}.`
          : "kube-system keeps its traffic between pods, but its path to the API server is not known (the API server's addresses were not collected).",
        evidence,
      };
    }
    const pods = check.groups.reduce((n, g) => n + g.pods, 0);
    const group = check.groups[0]!;
    const egress = analysis.traceSide('egress', group, analysis.cluster.internet, analysis.cluster.allPorts);
    const ingress = analysis.traceSide('ingress', group, analysis.cluster.groups.find((g) => g.namespace !== 'kube-system') ?? analysis.cluster.internet, analysis.cluster.allPorts);
    return {
      status: 'pass',
      summary:
        `kube-system keeps its traffic through every tier: its ${pods} ${pods === 1 ? 'pod' : 'pods'} on the pod network may reach the API server and any pod or internet host on any port, ` +
        'and accept from every namespace.',
      evidence: [
        { object: `${group.name} → the internet`, value: egress.verdict, note: egress.sentence },
        { object: `${group.name} ← another namespace`, value: ingress.verdict, note: ingress.sentence },
      ],
    };
  },
});
