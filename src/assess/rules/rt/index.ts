/** RT rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calRT01 from './CAL-RT-01.js';

export const RT_RULES: readonly Rule[] = [calRT01];
