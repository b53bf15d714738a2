/**
 * EKS-02 — the control plane logs who called the API and what they did.
 *
 * No seed passage: without the `api`, `audit` and `authenticator` control plane logs in CloudWatch
 * there is no record of who changed a NetworkPolicy, an IPPool or a node's configuration.
 */
import { cmd, json, value } from '../../remediation.js';
import { defineRule } from '../../rule.js';

const REQUIRED = ['api', 'audit', 'authenticator'] as const;

const listOr = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : (items[0] ?? ''));

/** What is lost without each log type. */
const LOST: Record<(typeof REQUIRED)[number], string> = {
  api: "the API server's requests",
  audit: 'who did what through the API',
  authenticator: 'which IAM principal made each request',
};

export default defineRule({
  id: 'EKS-02',
  title: 'Control plane logging includes api, audit and authenticator',
  problem: 'Control plane logging misses api, audit or authenticator',
  why: 'no record of who called the API server, or with which IAM identity',
  area: 'EKS',
  severities: ['medium'],
  seed: '— (security review)',
  appliesWhen: () => true,
  evaluate({ model, facts, need }) {
    const cluster = need(model.eks, 'aws.cluster');
    const logging = need(cluster.logging?.clusterLogging, 'aws.cluster');
    const enabled = [...new Set(logging.filter((entry) => entry.enabled).flatMap((entry) => entry.types ?? []))].sort();
    const missing = REQUIRED.filter((type) => !enabled.includes(type));
    const object = `eks:Cluster ${cluster.name ?? facts.cluster.name}`;
    const evidence = [{ object, field: 'logging.clusterLogging (enabled types)', value: enabled }];
    if (!missing.length) {
      return {
        status: 'pass',
        summary: `Control plane logging sends ${enabled.join(', ')} logs to CloudWatch Logs.`,
        evidence,
      };
    }
    const types = [...new Set([...enabled, ...missing])].sort();
    return {
      status: 'fail',
      severity: 'medium',
      summary: `Control plane logging lacks ${missing.join(', ')}${enabled.length ? ` (enabled: ${enabled.join(', ')})` : ' (no log type is enabled)'}: CloudWatch has no record of ${listOr(missing.map((type) => LOST[type]))}.`,
      evidence,
      remediation: [
        cmd(
          'aws', 'eks', 'update-cluster-config', '--region', value(facts.cluster.region, 'region'), '--name', value(cluster.name ?? facts.cluster.name, 'cluster name'),
          '--logging', json({ clusterLogging: [{ types, enabled: true }] }),
        ),
      ],
    };
  },
});
