/** The policies the policy rules judge, and where a new one would sit before the default deny. */
import type { Policy } from '../../model.js';
import { findDefaultDeny } from '../../policy-analysis.js';
import { cmd, yaml, yamlLines, type Command, type Yaml } from '../../remediation.js';
import type { RuleContext } from '../../rule.js';
/**
 * `calicoctl apply -f -` of a GlobalNetworkPolicy that runs just ahead of the default deny, in its
 * tier; `spec` holds its selectors and rules.
 */
export function policyAheadOfDeny(deny: Policy, baseName: string, spec: Yaml): Command {
  const name = deny.tier === 'default' ? baseName : `${deny.tier}.${baseName}`;
  const head = yaml`apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: ${name}
spec:`;
  const order = deny.order === null ? 2000 : deny.order - 10;
  return {
    ...cmd('calicoctl', 'apply', '-f', '-'),
    input: yamlLines(head, ...(deny.tier === 'default' ? [] : [yaml`  tier: ${deny.tier}`]), yaml`  order: ${order}`, spec),
  };
}

/**
 * What the CAL-POL rules judge: every enforced policy, the namespaces, the tiers and the cluster-wide
 * default deny. Unknown when a policy list was not collected (`model.policies` is then null).
 */
export function clusterPolicies({ model, need }: RuleContext) {
  const policies = need(model.policies, 'calico.globalNetworkPolicies', 'calico.networkPolicies', 'kubernetes.networkPolicies');
  const defaultDeny = findDefaultDeny(policies, model.namespaces, model.tiers);
  // Without the namespaces' labels or the deny's tier order, a deny that looks complete may not be:
  // believe it only with both. Finding none needs neither (they only remove candidates).
  if (defaultDeny) {
    need(model.namespaces, 'kubernetes.namespaces');
    if (defaultDeny.tier !== 'default') need(model.tiers, 'calico.tiers');
  }
  return { policies, namespaces: model.namespaces, tiers: model.tiers, defaultDeny };
}

/**
 * A Calico policy's name as `calicoctl` takes it: bare in the `default` tier (raw CRDs store it
 * as `default.<name>`), as stored in any other tier (`<tier>.<name>` where the tier prefix is used).
 */
export const calicoPolicyName = (policy: Policy): string => (policy.tier === 'default' ? policy.name : policy.ref.name);
