/** IPAM rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calIPAM01 from './CAL-IPAM-01.js';
import calIPAM02 from './CAL-IPAM-02.js';
import calIPAM03 from './CAL-IPAM-03.js';
import calIPAM04 from './CAL-IPAM-04.js';

export const IPAM_RULES: readonly Rule[] = [calIPAM01, calIPAM02, calIPAM03, calIPAM04];
