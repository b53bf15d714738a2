/** A flow's trace in words, for evidence and for `calico-audit reach`. */
import type { CompiledPolicy, CompiledRule } from './compile.js';
import type { SideVerdict, TraceStep } from './engine.js';

/** `knp.default.allow-dns`, `default.global-deny-all`, `kanp.adminnetworkpolicy.x`. */
export const policyName = (policy: CompiledPolicy): string => policy.policy.calicoName;

/** `rule 1`, or `rule 'allow-dns' (1)` where the API names its rules. */
export const ruleName = (rule: CompiledRule): string => (rule.rule.name ? `rule '${rule.rule.name}'` : `rule ${rule.rule.index}`);

/** The short name of an endpoint in a sentence: a namespace's workload, or an address. */
export const shortName = (name: string): string => name.replace(/ \(\+\d+ more\)$/, '');

/** The step that decided (the last one), or null for an empty trace. */
export const decidingStep = (steps: readonly TraceStep[]): TraceStep | null => steps.at(-1) ?? null;

/** Why a side reached its verdict, as a clause: `knp.default.allow-dns, rule 1` / `default.global-deny-all (no rule matched, end of tier default)`. */
export function decidedBy(steps: readonly TraceStep[]): string {
  const step = decidingStep(steps);
  if (!step) return 'no policy';
  switch (step.kind) {
    case 'rule':
      return `${policyName(step.policy)}, ${ruleName(step.rule)}${step.action === 'Allow' || step.action === 'Deny' ? '' : ` (${step.action})`}`;
    case 'end-of-tier': {
      const last = step.policies.at(-1)!;
      return `${policyName(last)} (no rule matched, end of tier ${step.tier.name})`;
    }
    case 'profile':
      return step.anyPolicy ? 'its namespace profile, every tier having passed it on' : 'its namespace profile (no policy selects it)';
  }
}

/** Rules that only may have matched, in words: what made a side unknown. */
export function uncertainties(steps: readonly TraceStep[]): string[] {
  return steps.flatMap((step) =>
    step.kind === 'rule' && !step.certain
      ? [`${policyName(step.policy)} ${ruleName(step.rule)} (${step.action}) may match: ${step.reason ?? 'the snapshot cannot tell'}`]
      : step.kind === 'end-of-tier' && !step.certain
        ? [`tier ${step.tier.name} may not apply: its policies may not select the endpoint`]
        : [],
  );
}

/**
 * One side in words: `allowed by payments' egress (knp.default.allow-dns, rule 1)` /
 * `denied at coredns' ingress by default.global-deny-all (no rule matched, end of tier default)`.
 */
export function sideSentence(verdict: SideVerdict, endpoint: string, direction: 'egress' | 'ingress', steps: readonly TraceStep[]): string {
  const who = `${shortName(endpoint)}'${endpoint.endsWith('s') ? '' : 's'} ${direction}`;
  if (verdict === 'allowed') {
    const step = decidingStep(steps);
    return step?.kind === 'profile' ? `allowed at ${who} by ${decidedBy(steps)}` : `allowed by ${who} (${decidedBy(steps)})`;
  }
  if (verdict === 'denied') return `denied at ${who} by ${decidedBy(steps)}`;
  const why = uncertainties(steps);
  return `unknown at ${who}: ${why.length ? why.join('; ') : 'the snapshot cannot decide it'}`;
}

/** Every step in words, one line each (for `reach`). */
export function stepLines(steps: readonly TraceStep[]): string[] {
  return steps.map((step) => {
    switch (step.kind) {
      case 'rule':
        return `tier ${step.tier.name}: ${policyName(step.policy)} ${ruleName(step.rule)} ${step.certain ? 'matches' : 'may match'}: ${step.action}${step.reason ? ` (${step.reason})` : ''}`;
      case 'end-of-tier':
        return `tier ${step.tier.name}: no rule of ${step.policies.map(policyName).join(', ')} matched: end of tier, ${step.action}${step.certain ? '' : ' (if the tier applies)'}`;
      case 'profile':
        return step.anyPolicy ? 'every tier passed it on: the namespace profile allows' : 'no policy selects it: the namespace profile allows';
    }
  });
}
