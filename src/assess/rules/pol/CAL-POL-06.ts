/**
 * CAL-POL-06 — tiers are listed in evaluation order, and none but the baseline sits after `default`.
 *
 * Seed 001 "Policy Tiers (5 Tiers configured)": allow-tigera (100), adminnetworkpolicy (1,000),
 * namespace-isolation (10,000), default (1,000,000), baselineadminnetworkpolicy (10,000,000).
 * Policies in the `default` tier (every Kubernetes NetworkPolicy among them) end in a deny for the
 * pods they select, so a tier after it only sees traffic they pass on: its rules are easily moot.
 */
import { calicoDefaults } from '../../../reference/index.js';
import type { Tier } from '../../model.js';
import { cmd, json, note, value } from '../../remediation.js';
import { defineRule, listSome, type Evidence } from '../../rule.js';
import { calicoPresent } from '../applies.js';

/** The `default` tier's order: Kubernetes and namespaced Calico policies live there. */
const defaultTierOrder = (tiers: Tier[]): number => tiers.find((t) => t.name === 'default')?.order ?? 1_000_000;

const byEvaluationOrder = (a: Tier, b: Tier) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.name.localeCompare(b.name);

export default defineRule({
  id: 'CAL-POL-06',
  title: 'Tiers are listed in evaluation order, and no tier but the baseline sits after default',
  problem: 'Tiers are out of evaluation order, or a tier sits after default',
  why: 'policies are evaluated in an order nobody intended',
  area: 'POL',
  severities: ['low'],
  seed: '001 "Policy Tiers"',
  appliesWhen(context) {
    const present = calicoPresent(context);
    if (present !== true) return present;
    const tiers = context.need(context.model.tiers, 'calico.tiers');
    return tiers.length ? true : 'No policy tiers exist: every policy is evaluated in one list.';
  },
  evaluate({ model, need }) {
    const tiers = [...need(model.tiers, 'calico.tiers')].sort(byEvaluationOrder);
    const defaultOrder = defaultTierOrder(tiers);
    // The verdict rests on the tiers alone; the policy counts only annotate the list.
    const policies = model.policies;
    const countIn = (tier: Tier) => (policies ? policies.filter((p) => p.tier === tier.name).length : null);
    const listing = tiers.map((t) => `${t.name} (${t.order ?? 'no order'}${policies ? `, ${countIn(t)} ${countIn(t) === 1 ? 'policy' : 'policies'}` : ''})`).join(', ');
    const evidence: Evidence[] = tiers.map((t) => ({
      object: `Tier ${t.name}`,
      field: 'spec.order',
      value: t.order,
      note: policies ? `${countIn(t)} policies; default action ${t.defaultAction}` : `default action ${t.defaultAction}; policies not collected`,
    }));
    const late = tiers.filter(
      (t) =>
        t.name !== 'default' &&
        !calicoDefaults.baselineTiers.includes(t.name) &&
        (t.order === null || t.order > defaultOrder || (t.order === defaultOrder && t.name > 'default')),
    );
    const orderText = `${tiers.length} tiers in evaluation order: ${listing}`;
    if (!late.length) {
      return {
        status: 'pass',
        summary: `${orderText}. No tier but the baseline sits after default.${policies ? '' : ' (Policy counts were not collected.)'}`,
        evidence,
      };
    }
    // New orders between the last tier ahead of default and default itself, keeping their relative order.
    const ahead = tiers.filter((t) => t.order !== null && t.order < defaultOrder).map((t) => t.order!);
    const floor = ahead.length ? Math.max(...ahead) : 0;
    const step = (defaultOrder - floor) / (late.length + 1);
    return {
      status: 'fail',
      severity: 'low',
      summary:
        `${listSome(late.map((t) => t.name))} ${late.length > 1 ? 'sit' : 'sits'} after the default tier (order ${defaultOrder}): ` +
        `${late.length > 1 ? 'their' : 'its'} policies see only traffic the default tier's policies pass on or leave unselected. ${orderText}.`,
      evidence,
      remediation: [
        note('Moving a tier ahead of default makes its policies decide first, and its end-of-tier action (Deny unless'),
        note('spec.defaultAction is Pass) then applies to every endpoint they select: review its policies before applying.'),
        ...late.map((t, i) => cmd('calicoctl', 'patch', 'tier', value(t.name, 'tier name'), '--patch', json({ spec: { order: Math.round(floor + step * (i + 1)) } }))),
      ],
      objects: late.map((t) => ({ kind: 'Tier', name: t.name })),
    };
  },
});
