/**
 * The rule registry, in catalogue order: one folder per id prefix (`CAL-DP-01` in dp/), one file
 * per rule. The catalogue (`calico-audit rules`, docs/rules.md) is generated from it.
 */
import type { Rule } from '../rule.js';
import { AWS_RULES } from './aws/index.js';
import { BGP_RULES } from './bgp/index.js';
import { DP_RULES } from './dp/index.js';
import { DS_RULES } from './ds/index.js';
import { ENC_RULES } from './enc/index.js';
import { EKS_RULES } from './eks/index.js';
import { IPAM_RULES } from './ipam/index.js';
import { OBS_RULES } from './obs/index.js';
import { POL_RULES } from './pol/index.js';
import { RT_RULES } from './rt/index.js';

/**
 * The catalogue's version (shared/spec/rules.md, "catalogue, version 1"): reports name it, so a
 * score can be told apart from one against another set of rules. Raised when a rule is added or
 * removed or a verdict's meaning changes; ids are permanent across versions.
 */
export const CATALOGUE_VERSION = 1;

export const RULES: readonly Rule[] = [
  ...DS_RULES,
  ...RT_RULES,
  ...AWS_RULES,
  ...BGP_RULES,
  ...IPAM_RULES,
  ...POL_RULES,
  ...ENC_RULES,
  ...DP_RULES,
  ...OBS_RULES,
  ...EKS_RULES,
];

export const ruleById = (id: string): Rule | undefined => RULES.find((r) => r.id === id);
