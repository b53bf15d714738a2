/** The per-cluster report's view, section 7. Component health and Felix. */
import { type Fact, onOff, type SectionChecks, verdictLine } from './format.js';
import { joinMarkdown, markdown } from '../escape.js';
import type { Assessment } from '../../assess/assess.js';
export function componentView(assessment: Assessment, checks: SectionChecks) {
  const { components, felix, dataplane, wireguard, calico } = assessment.facts;
  const rows = (components ?? []).map((c) => ({
    name: c.name,
    kind: c.kind,
    namespace: c.namespace ?? 'n/a',
    desired: c.desired ?? 'n/a',
    ready: c.ready ?? 'n/a',
    health: c.healthy === true ? '✓ Healthy' : c.healthy === false ? '⚠ Degraded' : '? Unknown',
  }));
  const highlights: Fact[] = [
    { label: 'Dataplane', value: dataplane.mode ? markdown`${dataplane.mode}${dataplane.mode === 'bpf' ? ' (eBPF)' : ' (eBPF off)'}` : markdown`not determined` },
    {
      label: 'WireGuard',
      value: markdown`${onOff(wireguard.enabled, 'enabled', 'disabled', 'not determined')}${
        wireguard.exceptNodes.length ? markdown` (${wireguard.enabled ? 'off' : 'on'} on ${joinMarkdown(wireguard.exceptNodes)} by their own FelixConfiguration)` : markdown``
      }`,
    },
    { label: 'Log level', value: markdown`${felix.logSeverityScreen ?? 'not collected'}` },
    { label: 'Prometheus metrics', value: markdown`${onOff(felix.prometheusMetricsEnabled, 'enabled', 'disabled', 'not collected')}` },
  ];
  if (calico.variant === 'Calico Enterprise' || felix.flowLogs !== null) {
    highlights.push({ label: 'Flow logs', value: markdown`${onOff(felix.flowLogs, 'enabled', 'disabled', 'not configured')}` });
  }
  highlights.push({ label: 'Health port', value: felix.healthPort !== null ? markdown`${felix.healthPort}` : markdown`not collected` });
  if (assessment.facts.encapsulation?.vxlan || assessment.facts.calicoNetworking) {
    highlights.push({ label: 'VXLAN VNI', value: felix.vxlanVNI !== null ? markdown`${felix.vxlanVNI}${assessment.facts.encapsulation?.vxlan ? '' : ' (unused)'}` : markdown`not collected` });
  }
  highlights.push({ label: 'AWS source/destination check', value: markdown`${felix.awsSrcDstCheck ?? 'not collected'} (FelixConfiguration awsSrcDstCheck)` });
  if (felix.nodeOverrides.length) {
    highlights.push({
      label: 'Per-node FelixConfigurations',
      value: joinMarkdown(
        felix.nodeOverrides.map((o) => markdown`${o.object} (${o.fields.length ? joinMarkdown(o.fields) : 'no fields'}) overrides the default on ${o.node}`),
        '; ',
      ),
    });
  }
  // The MTU is a key fact of section 2, beside what the path allows.
  const enterprise = assessment.facts.enterpriseComponents ?? [];
  return {
    rows,
    // As seed 001 lists them: what Calico Enterprise brings, found running.
    enterprise: calico.variant === 'Calico Enterprise' || enterprise.length ? enterprise.map((e) => ({ component: e.component, where: markdown`running in ${e.namespace} (${e.pods} ${e.pods === 1 ? 'pod' : 'pods'})` })) : [],
    enterpriseNote:
      calico.variant === 'Calico Enterprise' && !enterprise.length
        ? assessment.facts.enterpriseComponents === null
          ? markdown`Which Calico Enterprise components run is not known: pods were not collected.`
          : markdown`No Calico Enterprise component (compliance, intrusion detection, policy recommendation, flow logs, Prometheus) was found running.`
        : null,
    note: components === null ? markdown`The Calico workloads (DaemonSets and Deployments) were not collected.` : null,
    highlights,
    verdicts: verdictLine('Datastore, dataplane and observability rules', checks.inAreas('DS', 'ENC')),
  };
}
