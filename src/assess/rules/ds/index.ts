/** DS rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calDS01 from './CAL-DS-01.js';
import calDS02 from './CAL-DS-02.js';
import calDS03 from './CAL-DS-03.js';
import calDS04 from './CAL-DS-04.js';
import calDS05 from './CAL-DS-05.js';

export const DS_RULES: readonly Rule[] = [calDS01, calDS02, calDS03, calDS04, calDS05];
