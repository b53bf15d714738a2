/** Dataplane rules (area ENC: encryption, dataplane and observability), in catalogue order. */
import type { Rule } from '../../rule.js';
import calDP01 from './CAL-DP-01.js';

export const DP_RULES: readonly Rule[] = [calDP01];
