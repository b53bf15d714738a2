/** DS rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const DS_RULES: readonly Rule[] = [];
