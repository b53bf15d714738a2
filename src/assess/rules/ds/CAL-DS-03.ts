/**
 * CAL-DS-03 — Typha survives the loss of one replica.
 *
 * Seed 002 lists the Typha resources to verify: "Typha Service", "Typha Deployment", "Typha
 * PodDisruptionBudget"; seed 001's healthy cluster shows "calico-typha | 2/2". With one Typha,
 * a drained or failed node cuts every calico-node off from datastore updates until it reschedules.
 */
import { cmd, joined, note, pipeline, text, value, yaml, type Command, type Step } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';

const MIN_READY = 2;

export default defineRule({
  id: 'CAL-DS-03',
  title: 'Typha is highly available',
  problem: 'Typha is not highly available',
  why: 'with Typha down, routes and policy stop updating on every node',
  after: ['CAL-DS-02'],
  area: 'DS',
  severities: ['medium'],
  seed: '002 Typha resources to verify ("Typha PodDisruptionBudget"); 001 "calico-typha 2/2"',
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    const deployed = context.need(context.facts.typha.deployed, 'kubernetes.deployments');
    if (!deployed) return 'Typha is not deployed (CAL-DS-02 covers whether it should be).';
    // Typha listens on host port 5473: two replicas cannot share one node.
    const nodes = context.facts.topology.nodeCount;
    return nodes !== null && nodes < MIN_READY
      ? `The cluster has ${nodes} node${nodes === 1 ? '' : 's'} outside Fargate: only one Typha replica can run (it binds host port 5473).`
      : true;
  },
  evaluate({ model, facts, need }) {
    const typha = need(model.components?.typha, 'kubernetes.deployments');
    const pdb = need(facts.typha.podDisruptionBudget, 'kubernetes.podDisruptionBudgets');
    const object = `Deployment ${typha.namespace}/${typha.name}`;
    const evidence: Evidence[] = [
      { object, field: 'spec.replicas', value: typha.desired },
      { object, field: 'status.readyReplicas', value: typha.ready },
      { object: `PodDisruptionBudget ${typha.namespace}/calico-typha`, value: pdb ? 'present' : null, note: pdb ? undefined : 'not found' },
    ];
    const typhaNodes = facts.typha.nodes;
    if (typhaNodes) evidence.push({ object: 'calico-typha pods', field: 'spec.nodeName', value: typhaNodes });
    if (typha.ready >= MIN_READY && pdb) {
      return {
        status: 'pass',
        summary: `Typha has ${typha.ready} of ${typha.desired} replicas ready and a PodDisruptionBudget limits voluntary evictions.`,
        evidence,
      };
    }

    const shortfalls: string[] = [];
    if (typha.ready < MIN_READY) shortfalls.push(`${typha.ready} ready replica${typha.ready === 1 ? '' : 's'} (of ${typha.desired} desired)`);
    if (!pdb) shortfalls.push('no PodDisruptionBudget');
    const namespace = value(typha.namespace, 'namespace');
    const operator = model.install.method === 'operator';
    const nodes = facts.topology.nodeCount;
    const whyNotReady: Command = { ...cmd('kubectl', '-n', namespace, 'get', 'pods', '-l', 'k8s-app=calico-typha', '-o', 'wide'), note: text`why are replicas not ready?` };
    const lines: Step[] = [];
    if (operator) {
      lines.push(
        note('The Tigera operator sets the Typha replica count from the node count (recent versions: 1 for 1-2 nodes, 2 for 3-4, at least 3 above)'),
        note('and creates the calico-typha PodDisruptionBudget itself.'),
      );
      if (typha.desired < MIN_READY && nodes !== null && nodes <= 2) lines.push(note('With 2 nodes it runs one Typha: add a third node for a second replica.'));
      if (typha.ready < typha.desired) lines.push(whyNotReady);
      if (!pdb) lines.push(cmd('kubectl', 'get', 'tigerastatus'), pipeline(cmd('kubectl', '-n', 'tigera-operator', 'logs', 'deployment/tigera-operator'), cmd('grep', '-i', 'disruption')));
    } else {
      if (typha.desired < MIN_READY) {
        lines.push(cmd('kubectl', '-n', namespace, 'scale', 'deployment/calico-typha', joined('--replicas=', Math.max(MIN_READY, Math.min(3, nodes ?? 3)))));
      } else if (typha.ready < MIN_READY) lines.push(whyNotReady);
      if (!pdb) {
        lines.push({
          ...cmd('kubectl', 'apply', '-f', '-'),
          input: yaml`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: calico-typha
  namespace: ${typha.namespace}
  labels:
    k8s-app: calico-typha
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      k8s-app: calico-typha`,
        });
      }
    }
    return {
      status: 'fail',
      severity: 'medium',
      summary:
        `Typha is not highly available: ${shortfalls.join(' and ')}. ` +
        (typha.ready < MIN_READY
          ? 'Losing or draining one node cuts every calico-node off from datastore updates until Typha reschedules.'
          : 'A drain or node group update can evict every Typha replica at once.'),
      evidence,
      remediation: lines,
    };
  },
});
