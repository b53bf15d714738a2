/** IPAM rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const IPAM_RULES: readonly Rule[] = [];
