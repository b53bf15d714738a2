/** The JSON rendering is the assessment itself. */
import type { Assessment } from '../assess/assess.js';

export const renderJson = (assessment: Assessment): string => `${JSON.stringify(assessment, null, 2)}\n`;
