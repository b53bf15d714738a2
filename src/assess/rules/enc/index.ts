/** ENC rules, in catalogue order. */
import type { Rule } from '../../rule.js';

export const ENC_RULES: readonly Rule[] = [];
