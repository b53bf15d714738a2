/**
 * CAL-DP-01 — the eBPF dataplane is on, or its absence is a recorded choice.
 *
 * Seed 001 "Felix Configuration Highlights": "BPF Mode: Disabled (traditional iptables mode)", and
 * "BPF Dataplane - Evaluate enabling eBPF mode for better performance". Calico's eBPF dataplane
 * runs on EKS with Calico CNI or the AWS VPC CNI. Staying on iptables can be a sound choice:
 * suppressing this finding with a reason is how the audit records it.
 */
import { capture, cmd, joined, json, note, pipeline, value, type Remediation } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { felixOverrides } from '../../facts/felix.js';
import { calicoPresent } from '../applies.js';
import { removeNodeFelixSetting } from '../configuration.js';

export default defineRule({
  id: 'CAL-DP-01',
  title: 'The eBPF dataplane is on (or its absence is recorded as a choice)',
  problem: 'The eBPF dataplane is off on some or all nodes',
  why: "eBPF gives lower latency and keeps clients' source addresses",
  area: 'ENC',
  severities: ['low'],
  seed: '001 "BPF Mode: Not enabled"',
  appliesWhen: calicoPresent,
  evaluate({ model, facts, need }) {
    const mode = need(facts.dataplane.mode, 'calico.felixConfigurations', 'calico.installation');
    const source = facts.dataplane.source ?? 'not recorded';
    // A node's own FelixConfiguration (node.<name>) may turn eBPF off there.
    const offOn = mode === 'bpf' ? felixOverrides(model, (f) => f.bpfEnabled).filter((o) => !o.value) : [];
    if (offOn.length) {
      return {
        status: 'fail',
        severity: 'low',
        summary: `Calico runs the eBPF dataplane, except on ${listSome(offOn.map((o) => o.node))}, whose own FelixConfiguration sets bpfEnabled: false: ${offOn.length > 1 ? 'they run' : 'it runs'} the iptables dataplane while the rest run eBPF, so services and policy are handled differently from node to node.`,
        evidence: [
          { object: 'dataplane', value: 'bpf', note: source },
          ...offOn.map((o) => ({ object: o.object, field: 'spec.bpfEnabled', value: false, note: `overrides the default on node ${o.node}` })),
        ],
        remediation: offOn.map((o) => removeNodeFelixSetting(o.name, 'bpfEnabled')),
      };
    }
    if (mode === 'bpf') {
      return {
        status: 'pass',
        summary: 'Calico runs the eBPF dataplane.',
        evidence: [{ object: 'dataplane', value: 'bpf', note: source }],
      };
    }
    const endpoint = capture(
      pipeline(
        cmd('aws', 'eks', 'describe-cluster', '--region', value(facts.cluster.region, 'region'), '--name', value(facts.cluster.name, 'cluster name'), '--query', 'cluster.endpoint', '--output', 'text'),
        cmd('sed', 's#^https://##'),
      ),
    );
    const operator = facts.calico.method === 'operator';
    const configMapNamespace = value(operator ? 'tigera-operator' : (model.components?.calicoNode?.namespace ?? 'kube-system'), 'namespace');
    const remediation: Remediation = [
      note('eBPF replaces kube-proxy: plan a window, as service traffic is briefly disrupted while it takes over.'),
      note('1. Let Calico reach the API server directly, not through the kube-proxy service:'),
      {
        ...cmd(
          'kubectl', 'create', 'configmap', 'kubernetes-services-endpoint', '-n', configMapNamespace,
          joined('--from-literal=KUBERNETES_SERVICE_HOST=', endpoint), '--from-literal=KUBERNETES_SERVICE_PORT=443',
        ),
        breakBefore: [6],
      },
      // The operator restarts calico-node itself; a manifest's calico-node reads the ConfigMap only at start.
      ...(operator
        ? []
        : [cmd('kubectl', '-n', configMapNamespace, 'rollout', 'restart', joined('daemonset/', value(model.components?.calicoNode?.name ?? 'calico-node', 'DaemonSet name')))]),
      note('2. Stop kube-proxy (eBPF takes over services):'),
      cmd('kubectl', 'patch', 'ds', '-n', 'kube-system', 'kube-proxy', '-p', json({ spec: { template: { spec: { nodeSelector: { 'non-calico': 'true' } } } } })),
      note('3. Switch the dataplane:'),
      operator
        ? cmd('kubectl', 'patch', 'installation', 'default', '--type', 'merge', '-p', json({ spec: { calicoNetwork: { linuxDataplane: 'BPF' } } }))
        : cmd('kubectl', 'patch', 'felixconfiguration', 'default', '--type', 'merge', '-p', json({ spec: { bpfEnabled: true } })),
      note('Or keep the current dataplane on purpose: suppress CAL-DP-01 with the reason.'),
    ];
    return {
      status: 'fail',
      severity: 'low',
      // The source of the setting is the evidence; a deliberate choice is recorded by a suppression (the fix says how).
      summary: `Calico runs the ${mode} dataplane, not eBPF, which would bring lower latency, keep clients' source addresses and replace kube-proxy.`,
      evidence: [{ object: 'dataplane', value: mode, note: source }],
      remediation,
    };
  },
});
