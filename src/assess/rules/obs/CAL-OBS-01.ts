/**
 * CAL-OBS-01 — Felix Prometheus metrics (and, on Calico Enterprise, flow logs) are enabled.
 *
 * Seed 001 "Monitoring & Troubleshooting Readiness": "Prometheus Integration: Tigera prometheus
 * system active", "Flow Logs: Configured and available". Without Felix metrics, dataplane
 * programming errors and policy drops go unseen until traffic fails.
 */
import { comment } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { felixSetting, setFelixCommand, setNodeFelixSetting } from '../configuration.js';
import { calicoPresent } from '../applies.js';
import { felixOverrides } from '../../facts/felix.js';

export default defineRule({
  id: 'CAL-OBS-01',
  title: 'Felix Prometheus metrics (and, on Calico Enterprise, flow logs) are enabled',
  problem: 'Felix metrics (or, on Calico Enterprise, flow logs) are off',
  why: 'dataplane errors go unseen until traffic fails',
  area: 'ENC',
  severities: ['low'],
  seed: '001 monitoring readiness',
  appliesWhen: calicoPresent,
  evaluate({ model, facts, need }) {
    const felix = need(model.felix, 'calico.felixConfigurations');
    const enterprise = facts.calico.variant === 'Calico Enterprise';
    const metrics = felix.prometheusMetricsEnabled;
    const flowLogs = facts.felix.flowLogs === true;
    const metricsSetting = felixSetting(model, 'prometheusMetricsEnabled');
    const evidence: Evidence[] = [
      { object: metricsSetting.object, field: metricsSetting.field, value: metrics, ...(metrics ? { note: `port ${felix.prometheusMetricsPort}` } : {}) },
    ];
    if (enterprise) {
      const flowLogsSetting = felixSetting(model, 'flowLogsFileEnabled');
      evidence.push({
        object: flowLogsSetting.object,
        field: flowLogsSetting.field,
        value: felix.flowLogsFileEnabled,
        note: felix.flowLogsFlushInterval ? `flowLogsFlushInterval ${felix.flowLogsFlushInterval}` : 'no flush interval set',
      });
    }
    // A node's own FelixConfiguration (node.<name>) may switch metrics off there.
    const dark = metrics ? felixOverrides(model, (f) => f.prometheusMetricsEnabled).filter((o) => !o.value) : [];
    evidence.push(...dark.map((o) => ({ object: o.object, field: 'spec.prometheusMetricsEnabled', value: false, note: `overrides the default on node ${o.node}` })));
    if (dark.length && (!enterprise || flowLogs)) {
      return {
        status: 'fail',
        severity: 'low',
        summary: `Felix serves Prometheus metrics, except on ${listSome(dark.map((o) => o.node))}, whose own FelixConfiguration switches them off: that node's dataplane errors go unseen.`,
        evidence,
        remediation: dark.map((o) => setNodeFelixSetting(o.name, 'prometheusMetricsEnabled', true)),
      };
    }
    if (metrics && (!enterprise || flowLogs)) {
      return {
        status: 'pass',
        summary: `Felix serves Prometheus metrics on port ${felix.prometheusMetricsPort}${enterprise ? ', and flow logs are on' : ''}.`,
        evidence,
      };
    }
    // calico-node's FELIX_* environment overrides the FelixConfiguration: without it, "off" is not established.
    if (!model.components) need(null, 'kubernetes.daemonSets');
    const off = [metrics ? null : 'Prometheus metrics', enterprise && !flowLogs ? 'flow logs' : null].filter((s): s is string => !!s);
    return {
      status: 'fail',
      severity: 'low',
      summary: `Felix ${off.join(' and ')} are off: dataplane errors${enterprise && !flowLogs ? ' and denied flows' : ''} go unseen until traffic fails.`,
      evidence,
      remediation: [
        ...(metrics
          ? []
          : [
              ...setFelixCommand(model, 'prometheusMetricsEnabled', true),
              comment`then let Prometheus scrape TCP ${felix.prometheusMetricsPort} on every node (calico-node runs in the host network)`,
            ]),
        ...(enterprise && !flowLogs ? setFelixCommand(model, 'flowLogsFileEnabled', true) : []),
      ],
    };
  },
});
