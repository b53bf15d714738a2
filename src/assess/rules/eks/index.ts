/** EKS rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const EKS_RULES: readonly Rule[] = [];
