/** RT rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calRT01 from './CAL-RT-01.js';
import calRT02 from './CAL-RT-02.js';
import calRT03 from './CAL-RT-03.js';
import calRT04 from './CAL-RT-04.js';
import calRT05 from './CAL-RT-05.js';
import calRT06 from './CAL-RT-06.js';
import calRT07 from './CAL-RT-07.js';

export const RT_RULES: readonly Rule[] = [calRT01, calRT02, calRT03, calRT04, calRT05, calRT06, calRT07];
