/** AWS rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calAWS01 from './CAL-AWS-01.js';
import calAWS02 from './CAL-AWS-02.js';
import calAWS03 from './CAL-AWS-03.js';
import calAWS04 from './CAL-AWS-04.js';
import calAWS05 from './CAL-AWS-05.js';
import calAWS06 from './CAL-AWS-06.js';
import calAWS07 from './CAL-AWS-07.js';

export const AWS_RULES: readonly Rule[] = [calAWS01, calAWS02, calAWS03, calAWS04, calAWS05, calAWS06, calAWS07];
