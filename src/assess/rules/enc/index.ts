/** ENC rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import calDP01 from './CAL-DP-01.js';
import calENC01 from './CAL-ENC-01.js';
import calOBS01 from './CAL-OBS-01.js';
import calOBS02 from './CAL-OBS-02.js';

export const ENC_RULES: readonly Rule[] = [calENC01, calDP01, calOBS01, calOBS02];
