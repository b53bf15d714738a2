/** Encryption rules (area ENC), in catalogue order. */
import type { Rule } from '../../rule.js';
import calENC01 from './CAL-ENC-01.js';

export const ENC_RULES: readonly Rule[] = [calENC01];
