/** EKS rules, in catalogue order. */
import type { Rule } from '../../rule.js';
import eks01 from './EKS-01.js';
import eks02 from './EKS-02.js';
import eks03 from './EKS-03.js';
import eks04 from './EKS-04.js';

export const EKS_RULES: readonly Rule[] = [eks01, eks02, eks03, eks04];
