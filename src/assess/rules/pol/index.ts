/** POL rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const POL_RULES: readonly Rule[] = [];
