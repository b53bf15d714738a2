/** Observability rules (area ENC: encryption, dataplane and observability), in catalogue order. */
import type { Rule } from '../../rule.js';
import calOBS01 from './CAL-OBS-01.js';
import calOBS02 from './CAL-OBS-02.js';

export const OBS_RULES: readonly Rule[] = [calOBS01, calOBS02];
