/** Option values the program declares up front (kept light: `main` loads a command's module only when it runs). */
export const FORMATS = ['json', 'md', 'html', 'text', 'sarif'] as const;
/** What `diff` writes. */
export const DIFF_FORMATS = ['text', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];
