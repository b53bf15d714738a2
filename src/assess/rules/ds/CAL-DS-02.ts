/**
 * CAL-DS-02 — Typha fans the Kubernetes datastore out to calico-node.
 *
 * Seed 002 "Install Typha to ensure datastore scalability": "every node will be opening up a watch
 * for API server events. Typha gets around this by being an intermediary between the API server
 * and all instances of calico-node" — a scaling issue "in a cluster with more than 50 nodes".
 * Verify "typha_service_name", the "Typha Service", "Typha Deployment" and "PodDisruptionBudget".
 */
import { assign, cmd, comment, joined, json, note, pipeline, text, value, variable, word, type Remediation } from '../../remediation.js';
import { defineRule, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { calicoManifestFile } from '../configuration.js';
import { canGrowAbove, growthEvidence, growthPhrase, growthUnknownReason } from '../growth.js';

/** The seed's threshold: above this many nodes, direct API-server watches hurt. */
const TYPHA_NODE_THRESHOLD = 50;

export default defineRule({
  id: 'CAL-DS-02',
  title: 'Typha runs when the datastore is Kubernetes',
  problem: 'Typha is not running',
  why: 'every calico-node watches the API server directly, a load that grows with the nodes',
  area: 'DS',
  severities: ['high', 'low'],
  severityNote: `high when the cluster has more than ${TYPHA_NODE_THRESHOLD} nodes or its node groups, Auto Scaling groups or Karpenter NodePools can grow it above ${TYPHA_NODE_THRESHOLD}; low otherwise`,
  seed: '002 "Install Typha"',
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    const datastore = context.need(context.facts.datastore.type, 'kubernetes.daemonSets', 'kubernetes.configMaps', 'calico.installation');
    return datastore === 'kubernetes' ? true : 'Calico uses an etcd datastore: Typha serves only the Kubernetes datastore.';
  },
  evaluate({ model, facts, need }) {
    const deployed = need(facts.typha.deployed, 'kubernetes.deployments');
    const { configured } = facts.typha;
    const typha = model.components?.typha ?? null;
    const calicoNode = model.components?.calicoNode ?? null;
    const namespace = typha?.namespace ?? calicoNode?.namespace ?? 'kube-system';
    const serviceName = calicoNode?.env['FELIX_TYPHAK8SSERVICENAME'] ?? model.felix?.typhaK8sServiceName ?? null;

    if (deployed && configured !== false) {
      return {
        status: 'pass',
        summary: `Typha runs (Deployment ${namespace}/calico-typha, ${typha?.ready ?? 0}/${typha?.desired ?? 0} ready) and calico-node reads the datastore through it.`,
        evidence: [
          { object: `Deployment ${namespace}/calico-typha`, field: 'spec.replicas', value: typha?.desired ?? null },
          { object: 'Calico install', field: 'typha configured', value: configured, note: model.install.method === 'operator' ? 'the operator manages Typha' : undefined },
        ],
      };
    }

    // Severity follows the seed's 50-node threshold, now or after the cluster scales out.
    const { growth } = facts;
    const nodesNow = growth.nodesNow ?? calicoNode?.desired ?? null;
    const { maxNodes } = growth;
    const grows = canGrowAbove(growth, TYPHA_NODE_THRESHOLD);
    const large = (nodesNow ?? 0) > TYPHA_NODE_THRESHOLD || grows === true;
    const growsTo = grows && nodesNow !== null && (growth.maxNodes ?? growth.atLeast ?? 0) > nodesNow ? ` and ${growthPhrase(growth)}` : '';
    const scale = large
      ? `The cluster has ${nodesNow ?? 'an unknown number of'} nodes${growsTo}, above the ${TYPHA_NODE_THRESHOLD}-node threshold.`
      : maxNodes !== null
        ? `The cluster has ${nodesNow} nodes and can grow to at most ${maxNodes} by the limits of its node groups and NodePools, so the load stays modest.`
        : nodesNow !== null
          ? `The cluster has ${nodesNow} nodes; how far it can grow is unknown (${growthUnknownReason(model, growth)}), so this is high if it can grow above ${TYPHA_NODE_THRESHOLD}.`
          : `Neither the node count nor the cluster's growth limits were collected, so this is high if the cluster can exceed ${TYPHA_NODE_THRESHOLD} nodes.`;

    const evidence: Evidence[] = [
      typha
        ? { object: `Deployment ${namespace}/calico-typha`, field: 'spec.replicas', value: typha.desired }
        : { object: 'Deployment calico-typha', value: null, note: 'not found in calico-system or kube-system' },
      { object: 'Calico install', field: 'typha configured', value: configured, note: serviceName !== null ? `typha_service_name: ${serviceName}` : undefined },
      { object: 'cluster', field: 'nodes now / can grow to', value: [nodesNow, maxNodes] },
      ...growthEvidence(model, growth),
    ];

    const ns = value(namespace, 'namespace');
    let summary: string;
    let remediation: Remediation;
    if (model.install.method === 'operator') {
      summary = `The Tigera operator should run Typha, but no calico-typha replica is deployed in ${namespace}. ${scale}`;
      remediation = [
        note('The operator deploys and scales Typha itself: find out why it has not.'),
        cmd('kubectl', 'get', 'tigerastatus'),
        pipeline(cmd('kubectl', '-n', 'tigera-operator', 'logs', 'deployment/tigera-operator'), cmd('grep', '-i', 'typha')),
      ];
    } else if (deployed) {
      summary = `A calico-typha Deployment runs in ${namespace}, but calico-node is not pointed at it (typha_service_name: ${serviceName ?? 'none'}): every calico-node watches the API server directly. ${scale}`;
      remediation = [
        cmd('kubectl', '-n', ns, 'patch', 'configmap', 'calico-config', '--type', 'merge', '-p', json({ data: { typha_service_name: 'calico-typha' } })),
        cmd('kubectl', '-n', ns, 'rollout', 'restart', 'daemonset/calico-node'),
        note('(if calico-node sets FELIX_TYPHAK8SSERVICENAME as a literal value rather than from calico-config:'),
        comment` kubectl -n ${word(ns)} set env daemonset/calico-node FELIX_TYPHAK8SSERVICENAME=calico-typha)`,
        note('and allow TCP 5473 from every node to the Typha nodes (CAL-AWS-05)'),
      ];
    } else {
      const pointed = configured === true ? ` although calico-node is told to use the ${serviceName ?? 'calico-typha'} service` : '';
      summary = `Typha is not deployed${pointed}: every calico-node watches the Kubernetes API server directly. ${scale}`;
      const manifest = calicoManifestFile(facts, true);
      remediation = [
        comment`Manifest install: take Typha from the ${manifest} manifest of your Calico version`,
        facts.calico.version
          ? assign('CALICO_VERSION', value(facts.calico.version, 'Calico version'))
          : assign('CALICO_VERSION', 'v3.31.0', text`the Calico version you run`),
        cmd('curl', '-fsSLO', joined('https://raw.githubusercontent.com/projectcalico/calico/', variable('CALICO_VERSION'), `/manifests/${manifest}`)),
        note('It sets typha_service_name: "calico-typha" in calico-config and adds the calico-typha Service, Deployment and'),
        note('PodDisruptionBudget. Carry over your own calico-config and calico-node changes, set the Deployment replicas'),
        note('(at least 2; one per 100-200 nodes), then apply it and restart calico-node:'),
        cmd('kubectl', 'apply', '--server-side', '--force-conflicts', '-f', manifest),
        cmd('kubectl', '-n', ns, 'rollout', 'restart', 'daemonset/calico-node'),
        note('and allow TCP 5473 from every node to the Typha nodes (CAL-AWS-05)'),
      ];
    }
    return { status: 'fail', severity: large ? 'high' : 'low', summary, evidence, remediation };
  },
});
