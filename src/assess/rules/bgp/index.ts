/** BGP rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calBGP01 from './CAL-BGP-01.js';
import calBGP02 from './CAL-BGP-02.js';
import calBGP03 from './CAL-BGP-03.js';
import calBGP04 from './CAL-BGP-04.js';
import calBGP05 from './CAL-BGP-05.js';

export const BGP_RULES: readonly Rule[] = [calBGP01, calBGP02, calBGP03, calBGP04, calBGP05];
