/** AWS rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calAWS01 from './CAL-AWS-01.js';

export const AWS_RULES: readonly Rule[] = [calAWS01];
