/**
 * CAL-DP-01 — the eBPF dataplane is on, or its absence is a recorded choice.
 *
 * Seed 001 "Felix Configuration Highlights": "BPF Mode: Disabled (traditional iptables mode)", and
 * "BPF Dataplane - Evaluate enabling eBPF mode for better performance". Calico's eBPF dataplane
 * runs on EKS with Calico CNI or the AWS VPC CNI. Staying on iptables can be a sound choice:
 * suppressing this finding with a reason is how the audit records it.
 */
import { defineRule, listSome, shellQuote } from '../../rule.js';
import { felixOverrides } from '../../facts/felix.js';
import { calicoPresent } from '../applies.js';

export default defineRule({
  id: 'CAL-DP-01',
  title: 'The eBPF dataplane is on (or its absence is recorded as a choice)',
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
        remediation: offOn.map((o) => `kubectl patch felixconfiguration ${shellQuote(o.object.replace('FelixConfiguration ', ''))} --type json -p '[{"op":"remove","path":"/spec/bpfEnabled"}]'`).join('\n'),
      };
    }
    if (mode === 'bpf') {
      return {
        status: 'pass',
        summary: 'Calico runs the eBPF dataplane.',
        evidence: [{ object: 'dataplane', value: 'bpf', note: source }],
      };
    }
    const endpoint = `$(aws eks describe-cluster --region ${facts.cluster.region} --name ${shellQuote(facts.cluster.name)} --query cluster.endpoint --output text | sed 's#^https://##')`;
    const operator = facts.calico.method === 'operator';
    const configMapNamespace = operator ? 'tigera-operator' : (model.components?.calicoNode?.namespace ?? 'kube-system');
    const remediation = [
      '# eBPF replaces kube-proxy: plan a window, as service traffic is briefly disrupted while it takes over.',
      '# 1. Let Calico reach the API server directly, not through the kube-proxy service address:',
      `kubectl create configmap kubernetes-services-endpoint -n ${configMapNamespace} \\`,
      `  --from-literal=KUBERNETES_SERVICE_HOST="${endpoint}" --from-literal=KUBERNETES_SERVICE_PORT=443`,
      // The operator restarts calico-node itself; a manifest's calico-node reads the ConfigMap only at start.
      ...(operator ? [] : [`kubectl -n ${configMapNamespace} rollout restart daemonset/${model.components?.calicoNode?.name ?? 'calico-node'}`]),
      '# 2. Stop kube-proxy on the nodes (eBPF takes over services):',
      `kubectl patch ds -n kube-system kube-proxy -p '{"spec":{"template":{"spec":{"nodeSelector":{"non-calico":"true"}}}}}'`,
      '# 3. Switch the dataplane:',
      operator
        ? `kubectl patch installation default --type merge -p '{"spec":{"calicoNetwork":{"linuxDataplane":"BPF"}}}'`
        : `kubectl patch felixconfiguration default --type merge -p '{"spec":{"bpfEnabled":true}}'`,
      '# Or keep the current dataplane on purpose: suppress CAL-DP-01 with the reason, and the report records the choice.',
    ].join('\n');
    return {
      status: 'fail',
      severity: 'low',
      summary:
        `Calico runs the ${mode} dataplane, not eBPF (${source}). eBPF brings lower latency, source-IP preservation and no kube-proxy; ` +
        'if the current dataplane is a deliberate choice, suppressing this finding with a reason records it.',
      evidence: [{ object: 'dataplane', value: mode, note: source }],
      remediation,
    };
  },
});
