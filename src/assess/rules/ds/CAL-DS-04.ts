/**
 * CAL-DS-04 — Calico's components are up: calico-node on every node, Typha and kube-controllers.
 *
 * Seed 001 "Component Health Assessment": "calico-node (DaemonSet) | 4/4 | Running | Healthy",
 * "calico-typha | 2/2", "calico-kube-controllers | 1/1". Seed 002: "The calico-node pod runs on
 * every host"; a node without a ready calico-node gets no routes and no policy for its pods.
 * Windows nodes run Calico as calico-node-windows (the operator's and the Windows manifests'
 * DaemonSet): its health counts like calico-node's, over the Windows nodes.
 */
import type { Workload } from '../../model.js';
import { cmd, joined, json, note, text, value, word, type Command, type Step } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';

const workloadEvidence = (workload: Workload): Evidence[] => {
  const object = `${workload.kind} ${workload.namespace}/${workload.name}`;
  return workload.kind === 'DaemonSet'
    ? [
        { object, field: 'status.desiredNumberScheduled', value: workload.desired },
        { object, field: 'status.numberReady', value: workload.ready },
      ]
    : [
        { object, field: 'spec.replicas', value: workload.desired },
        { object, field: 'status.readyReplicas', value: workload.ready },
      ];
};

const ns = (namespace: string) => value(namespace, 'namespace');
const podsCommand = (namespace: string, app: string): Command => cmd('kubectl', '-n', ns(namespace), 'get', 'pods', '-l', joined('k8s-app=', app), '-o', 'wide');
const tigerastatus = cmd('kubectl', 'get', 'tigerastatus');

export default defineRule({
  id: 'CAL-DS-04',
  title: 'Calico components are healthy',
  problem: 'Calico components are not healthy',
  why: 'a component that is not ready stops programming routes or policy',
  area: 'DS',
  severities: ['high'],
  seed: '001 component health table',
  appliesWhen: calicoPresent,
  evaluate({ model, need }) {
    const components = need(model.components, 'kubernetes.daemonSets', 'kubernetes.deployments');
    const { calicoNode, typha, kubeControllers } = components;
    const namespace = calicoNode?.namespace ?? (model.install.method === 'operator' ? 'calico-system' : 'kube-system');
    const problems: string[] = [];
    const evidence: Evidence[] = [];
    const remediation: Step[] = [];
    const healthy: string[] = [];

    // calico-node: every pod ready, and scheduled on every node that can run it (Linux, not Fargate).
    if (!calicoNode) {
      problems.push('the calico-node DaemonSet was not found');
      evidence.push({ object: 'DaemonSet calico-node', value: null, note: 'not found in calico-system or kube-system' });
      remediation.push(model.install.method === 'operator' ? tigerastatus : note('re-apply the Calico manifest of your version: calico-node is missing'));
    } else {
      evidence.push(...workloadEvidence(calicoNode));
      if (calicoNode.ready < calicoNode.desired) {
        // Pod readiness is not in the snapshot; what names the node is its own Ready condition, or a
        // calico-node pod on it that is not Running.
        const notRunning = (model.pods ?? []).filter((p) => p.labels['k8s-app'] === 'calico-node' && p.nodeName && p.phase !== 'Running').map((p) => p.nodeName!);
        const notReadyNodes = (model.nodes ?? []).filter((n) => !n.fargate && n.os !== 'windows' && n.ready === false).map((n) => n.name);
        const suspects = [...new Set([...notReadyNodes, ...notRunning])];
        problems.push(
          `calico-node is ready on ${calicoNode.ready} of ${calicoNode.desired} scheduled nodes` +
            (suspects.length ? ` (not ready: ${listSome(suspects)})` : ' (which node is not known: pod readiness is not collected)'),
        );
        for (const node of notReadyNodes) evidence.push({ object: `Node ${node}`, field: 'status.conditions Ready', value: 'not True', note: 'the kubelet does not report the node ready' });
        for (const node of notRunning.filter((n) => !notReadyNodes.includes(n))) evidence.push({ object: `Node ${node}`, note: 'its calico-node pod is not Running' });
        remediation.push({ ...podsCommand(calicoNode.namespace, 'calico-node'), note: text`then: kubectl -n ${word(ns(calicoNode.namespace))} logs POD -c calico-node` });
      }
      const kubeNodes = model.nodes;
      if (kubeNodes) {
        const eligible = kubeNodes.filter((n) => !n.fargate && n.labels['kubernetes.io/os'] !== 'windows');
        if (calicoNode.desired < eligible.length) {
          const withPod = model.pods
            ? new Set(model.pods.filter((p) => p.labels['k8s-app'] === 'calico-node' && p.nodeName).map((p) => p.nodeName!))
            : null;
          // Name the uncovered nodes only when the pod list shows calico-node pods at all.
          const missing = withPod?.size ? eligible.filter((n) => !withPod.has(n.name)).map((n) => n.name) : [];
          problems.push(
            `calico-node is scheduled on ${calicoNode.desired} of ${eligible.length} Linux nodes${missing.length ? ` (not on ${listSome(missing)})` : ''}`,
          );
          evidence.push({
            object: 'cluster',
            field: 'Linux nodes outside Fargate',
            value: eligible.length,
            ...(missing.length ? { note: `no calico-node pod on ${missing.join(', ')}` } : {}),
          });
          remediation.push({
            ...cmd('kubectl', '-n', ns(calicoNode.namespace), 'get', 'daemonset', 'calico-node', '-o', 'jsonpath={.spec.template.spec.nodeSelector}{"\\n"}{.spec.template.spec.tolerations}{"\\n"}'),
            note: text`which nodes does it exclude?`,
          });
        } else if (calicoNode.ready >= calicoNode.desired) {
          healthy.push(`calico-node ready on ${calicoNode.ready} of ${eligible.length} nodes`);
        }
      }
    }

    // Windows nodes: calico-node-windows, over the nodes labelled kubernetes.io/os=windows.
    const windowsNodes = (model.nodes ?? []).filter((n) => !n.fargate && n.os === 'windows');
    const { calicoNodeWindows } = components;
    if (calicoNodeWindows && (calicoNodeWindows.desired > 0 || windowsNodes.length)) {
      evidence.push(...workloadEvidence(calicoNodeWindows));
      if (calicoNodeWindows.ready < calicoNodeWindows.desired) {
        problems.push(`calico-node-windows is ready on ${calicoNodeWindows.ready} of ${calicoNodeWindows.desired} scheduled Windows nodes`);
        remediation.push({ ...podsCommand(calicoNodeWindows.namespace, 'calico-node-windows'), note: text`then: kubectl -n ${word(ns(calicoNodeWindows.namespace))} logs POD -c felix` });
      }
      if (model.nodes && calicoNodeWindows.desired < windowsNodes.length) {
        problems.push(`calico-node-windows is scheduled on ${calicoNodeWindows.desired} of ${windowsNodes.length} Windows nodes`);
        evidence.push({ object: 'cluster', field: 'Windows nodes', value: windowsNodes.length, note: listSome(windowsNodes.map((n) => n.name)) });
        remediation.push({
          ...cmd('kubectl', '-n', ns(calicoNodeWindows.namespace), 'get', 'daemonset', 'calico-node-windows', '-o', 'jsonpath={.spec.template.spec.nodeSelector}{"\\n"}{.spec.template.spec.tolerations}{"\\n"}'),
          note: text`which Windows nodes does it exclude?`,
        });
      } else if (calicoNodeWindows.ready >= calicoNodeWindows.desired) {
        healthy.push(`calico-node-windows ready on ${calicoNodeWindows.ready} of ${windowsNodes.length || calicoNodeWindows.desired} Windows nodes`);
      }
    } else if (windowsNodes.length && calicoNode) {
      problems.push(
        `${windowsNodes.length} Windows node${windowsNodes.length > 1 ? 's' : ''} (${listSome(windowsNodes.map((n) => n.name))}) run${windowsNodes.length > 1 ? '' : 's'} no calico-node-windows: Calico neither routes nor enforces policy for ${windowsNodes.length > 1 ? 'their' : 'its'} pods`,
      );
      evidence.push(
        { object: 'DaemonSet calico-node-windows', value: null, note: `not found in ${namespace}` },
        { object: 'cluster', field: 'Windows nodes', value: windowsNodes.length, note: listSome(windowsNodes.map((n) => n.name)) },
      );
      remediation.push(
        ...(model.install.method === 'operator'
          ? [
              note('the operator renders calico-node-windows only with calicoNetwork.windowsDataplane HNS (default Disabled; operator Installation CRD):'),
              cmd('kubectl', 'patch', 'installation', 'default', '--type', 'merge', '-p', json({ spec: { calicoNetwork: { windowsDataplane: 'HNS' } } })),
            ]
          : [note('install Calico for Windows on these nodes (the calico-windows manifest of your Calico version, e.g. calico-windows-vxlan.yaml)')]),
      );
    }

    // Typha only where it is deployed; CAL-DS-02 judges whether it should be.
    if (typha && typha.desired > 0) {
      evidence.push(...workloadEvidence(typha));
      if (typha.ready < typha.desired) {
        problems.push(
          typha.ready === 0
            ? `no Typha replica is ready (0 of ${typha.desired}): calico-node cannot receive datastore updates`
            : `Typha has ${typha.ready} of ${typha.desired} replicas ready`,
        );
        remediation.push(podsCommand(typha.namespace, 'calico-typha'));
      } else {
        healthy.push(`Typha ${typha.ready}/${typha.desired}`);
      }
    }

    if (!kubeControllers) {
      problems.push('the calico-kube-controllers Deployment was not found');
      evidence.push({ object: 'Deployment calico-kube-controllers', value: null, note: `not found in ${namespace}` });
      remediation.push(model.install.method === 'operator' ? tigerastatus : note('re-apply the Calico manifest of your version: calico-kube-controllers is missing'));
    } else {
      evidence.push(...workloadEvidence(kubeControllers));
      if (kubeControllers.desired === 0 || kubeControllers.ready < kubeControllers.desired) {
        problems.push(
          kubeControllers.desired === 0
            ? 'calico-kube-controllers is scaled to 0 replicas'
            : `calico-kube-controllers has ${kubeControllers.ready} of ${kubeControllers.desired} replicas ready`,
        );
        remediation.push(
          kubeControllers.desired === 0
            ? cmd('kubectl', '-n', ns(kubeControllers.namespace), 'scale', 'deployment/calico-kube-controllers', '--replicas=1')
            : podsCommand(kubeControllers.namespace, 'calico-kube-controllers'),
        );
      } else {
        healthy.push(`calico-kube-controllers ${kubeControllers.ready}/${kubeControllers.desired}`);
      }
    }

    // Coverage of every node is only known from the node list; any other problem already decides.
    if (!problems.length && calicoNode && !model.nodes) need(null, 'kubernetes.nodes');
    if (!problems.length) {
      return { status: 'pass', summary: `Calico components are ready: ${healthy.join(', ')}.`, evidence };
    }
    if (model.install.method === 'operator' && !remediation.includes(tigerastatus)) remediation.push(tigerastatus);
    return {
      status: 'fail',
      severity: 'high',
      summary: `${problems.join('; ')}.`,
      evidence,
      remediation,
    };
  },
});
