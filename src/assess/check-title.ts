/** The title a check is shown under (its own module: the renderers need it, not the rules behind it). */
import type { Status } from './rule.js';

/** The title a check is shown under: its problem when it failed, its condition otherwise. */
export const checkTitle = (check: { status: Status; title: string; problem: string }): string => (check.status === 'fail' ? check.problem : check.title);
