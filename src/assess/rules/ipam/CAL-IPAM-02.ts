/**
 * CAL-IPAM-02 — allocated addresses stay below 80% of each pool.
 *
 * Seed 001 "Recommendations": "Monitor IP Pool Utilization - Set up alerts when pools exceed 80%
 * utilization". A full pool stops new pods from starting.
 */
import { percentText } from '../../quantity.js';
import { calicoDefaults } from '../../../reference/index.js';
import { cmd, note } from '../../remediation.js';
import { defineRule, listSome } from '../../rule.js';
import { freePoolCidr, ipPoolManifest } from './pool-manifest.js';
import { calicoRoutesPods, poolsRoutingWorkloads } from '../applies.js';

const ALERT = calicoDefaults.ipamUtilisationAlert;
/** The reports' one rounding, so the rule and the IPAM section print the same figure. */
const percent = percentText;

export default defineRule({
  id: 'CAL-IPAM-02',
  title: 'Allocated addresses stay below 80% of each pool',
  problem: 'A pool is more than 80% allocated',
  why: 'pods fail to start once the pool has no address left',
  area: 'IPAM',
  severities: ['medium'],
  seed: '001 "alerts when pools exceed 80% utilization"',
  appliesWhen(context) {
    const routes = calicoRoutesPods(context);
    if (routes !== true) return routes;
    const pools = poolsRoutingWorkloads(context.need(context.facts.pools, 'calico.ippools'));
    return pools.length ? true : 'No enabled IPv4 pool hands out pod addresses.';
  },
  evaluate({ model, facts, need }) {
    need(model.ipamBlocks, 'calico.ipamBlocks');
    const pools = poolsRoutingWorkloads(need(facts.pools, 'calico.ippools'));
    const measured = pools.filter((p) => p.utilisation !== null);
    if (!measured.length) need(null, 'calico.ipamBlocks');
    const full = measured.filter((p) => p.utilisation! >= ALERT);
    const evidence = measured.map((p) => ({
      object: `IPPool ${p.name}`,
      field: 'allocated addresses',
      value: p.allocated,
      note: `${percent(p.utilisation!)} of ${p.addresses} in ${p.cidr} (from ${p.blocksInUse} IPAM blocks)`,
    }));
    if (!full.length) {
      return {
        status: 'pass',
        summary: `Every pool is below ${percent(ALERT)} allocated: ${listSome(measured.map((p) => `${p.name} ${percent(p.utilisation!)}`))}.`,
        evidence,
      };
    }
    const taken = [...(facts.pools ?? []).map((p) => p.cidr), ...(facts.cluster.vpcCidrs ?? []), facts.cluster.serviceCidr].filter(
      (c): c is string => !!c,
    );
    const remediation = [
      note('first release addresses leaked by deleted pods and nodes (new pods cannot start while the datastore is locked):'),
      cmd('calicoctl', 'datastore', 'migrate', 'lock'),
      cmd('calicoctl', 'ipam', 'check', '--show-problem-ips', '-o', 'ipam-report.json'),
      cmd('calicoctl', 'ipam', 'release', '--from-report=ipam-report.json'),
      cmd('calicoctl', 'datastore', 'migrate', 'unlock'),
      note('then, if the pool is still near full, add a pool beside it:'),
      ...full.map((p) => {
        const prefix = Number(p.cidr?.split('/')[1] ?? 16);
        const cidr = freePoolCidr(prefix, taken) ?? `FREE_CIDR_/${prefix}`;
        taken.push(cidr);
        return ipPoolManifest(`${p.name}-2`, cidr, p);
      }),
    ];
    return {
      status: 'fail',
      severity: 'medium',
      summary: `${full.length === 1 ? 'Pool' : 'Pools'} ${listSome(
        full.map((p) => `${p.name} (${percent(p.utilisation!)}: ${p.allocated} of ${p.addresses})`),
      )} ${full.length === 1 ? 'is' : 'are'} at or above ${percent(ALERT)} allocated: new pods fail to start when ${
        full.length === 1 ? 'it fills' : 'they fill'
      }.`,
      evidence,
      remediation,
      objects: full.map((p) => ({ kind: 'IPPool', name: p.name })),
    };
  },
});
