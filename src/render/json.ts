/** The JSON rendering is the assessment itself. */
import type { Assessment } from '../assess/assess.js';
import { escapeUnsafeKeepingLines } from '../assess/unsafe-text.js';

/**
 * JSON text with control characters and bidi overrides written as `\uXXXX` escapes: the same
 * values when parsed, nothing that acts on a terminal when printed. (JSON.stringify escapes only
 * C0 controls; DEL, C1 controls such as U+009B, the single-character CSI, and U+202E pass raw.)
 */
export const safeJson = (value: unknown): string => `${escapeUnsafeKeepingLines(JSON.stringify(value, null, 2))}\n`;

export const renderJson = (assessment: Assessment): string => safeJson(assessment);
