/** BGP rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const BGP_RULES: readonly Rule[] = [];
