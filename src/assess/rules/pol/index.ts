/** POL rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calPOL01 from './CAL-POL-01.js';
import calPOL02 from './CAL-POL-02.js';
import calPOL03 from './CAL-POL-03.js';
import calPOL04 from './CAL-POL-04.js';
import calPOL05 from './CAL-POL-05.js';
import calPOL06 from './CAL-POL-06.js';

export const POL_RULES: readonly Rule[] = [calPOL01, calPOL02, calPOL03, calPOL04, calPOL05, calPOL06];
