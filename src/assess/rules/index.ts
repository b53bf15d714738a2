/** The rule registry, in catalogue order. The catalogue (`calico-audit rules`) is generated from it. */
import type { Rule } from '../rule.js';
import { AWS_RULES } from './aws/index.js';
import { BGP_RULES } from './bgp/index.js';
import { DS_RULES } from './ds/index.js';
import { ENC_RULES } from './enc/index.js';
import { EKS_RULES } from './eks/index.js';
import { IPAM_RULES } from './ipam/index.js';
import { POL_RULES } from './pol/index.js';
import { RT_RULES } from './rt/index.js';

export const RULES: readonly Rule[] = [
  ...DS_RULES,
  ...RT_RULES,
  ...AWS_RULES,
  ...BGP_RULES,
  ...IPAM_RULES,
  ...POL_RULES,
  ...ENC_RULES,
  ...EKS_RULES,
];

export const ruleById = (id: string): Rule | undefined => RULES.find((r) => r.id === id);
