/**
 * CAL-POL-02 — no global policy allows all traffic for all endpoints.
 *
 * Seed 001 lists "2 global policies (default-allow-all, default-allow-all-dns)" and recommends
 * "Assess if default-allow-all policies align with security requirements"; seed 002 builds on a
 * "global default deny-all policy". Judged on what passes: a global policy (Calico, or a Kubernetes
 * admin policy) whose Allow decides arbitrary traffic of a new namespace's pods — from and to a pod
 * of another namespace and an internet host, on a port no rule names — even when that namespace
 * isolates itself with its own NetworkPolicy, or where a deny after it would refuse that traffic.
 * An allow-all that only repeats what would pass anyway (a baseline after every deny) is moot.
 */
import { allowAllCheck } from '../../reach/checks.js';
import { comment, note } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { calicoPresent } from '../applies.js';
import { clusterReach, deleteCommand } from './policies.js';

export default defineRule({
  id: 'CAL-POL-02',
  title: 'No global policy allows all traffic for all endpoints',
  problem: 'A global policy allows all traffic for all endpoints',
  why: 'traffic that no other policy denies is allowed everywhere',
  area: 'POL',
  severities: ['high'],
  seed: '001 "default-allow-all"; 002 default deny',
  appliesWhen: calicoPresent,
  evaluate(context) {
    const analysis = clusterReach(context);
    const { findings, unknown } = allowAllCheck(analysis);
    const globals = analysis.cluster.policies.filter((p) => p.namespace === null);
    if (!findings.length) {
      if (unknown.length) {
        return {
          status: 'unknown',
          summary: `Whether a global policy allows all traffic cannot be decided from the snapshot: ${unknown[0]}.`,
          evidence: unknown.slice(0, 4).map((sentence) => ({ object: 'calico-audit-probe/new-pod', note: sentence })),
        };
      }
      return {
        status: 'pass',
        summary: globals.length
          ? `None of the ${globals.length} global ${globals.length === 1 ? 'policy' : 'policies'} allows arbitrary traffic: a new namespace that isolates itself stays isolated, and no global Allow lets through what a deny after it would refuse.`
          : 'There are no global policies, so none allows all traffic for every workload.',
      };
    }
    const policies = [...new Set(findings.map((f) => f.policy))];
    const describe = (policy: (typeof policies)[number]) => {
      const own = findings.filter((f) => f.policy === policy);
      const directions = own.map((f) => f.direction).join(' and ');
      const undoes = own.some((f) => f.undoes === 'isolation') ? 'even of a namespace that isolates itself with its own NetworkPolicy' : 'that a deny after it would refuse';
      return `${policy.kind} ${policy.calicoName} allows all ${directions} traffic of every pod, ${undoes}`;
    };
    return {
      status: 'fail',
      severity: 'high',
      summary: `${policies.map(describe).join('; ')}: policies after ${policies.length > 1 ? 'them' : 'it'}, namespace isolation and any default deny among them, never see that traffic.`,
      evidence: findings.map((f) => ({
        object: `${f.policy.kind} ${f.policy.calicoName}`,
        field: `spec.${f.direction}`,
        value: 'Allow',
        note: `tier ${f.policy.tier}, order ${f.policy.order ?? 'none'}: ${f.sentence}`,
      })),
      remediation: [
        note('First put a default deny in place (CAL-POL-01) and the policies each namespace needs (CAL-POL-03).'),
        note('Deleting the allow-all can drop traffic at once: pods that other policies select lose whatever only it allowed.'),
        ...policies.map(deleteCommand),
        ...(policies.length > 3 ? [comment`(${listSome(policies.map((p) => p.name))})`] : []),
      ],
      objects: policies.map((p) => ({ kind: p.kind, name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}) })),
    };
  },
});
