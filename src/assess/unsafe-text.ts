/**
 * Characters that must never reach a terminal, a report or a pasted command raw: C0 and C1 control
 * characters (ESC starts terminal escape sequences that clear the screen or set the window title;
 * a line break ends a comment or a heredoc), DEL, and the invisible formatting characters that
 * reorder or hide text (bidi embeddings, overrides and isolates such as U+202E, zero-width
 * characters, line and paragraph separators, the byte-order mark): "Trojan Source", CVE-2021-42574.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is this module's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');
/**
 * The same set less line feed and tab, for multi-line text: a report has a line break on every
 * line, and matching each only to give it back cost a callback per line (a quarter of a second on
 * a 100,000-pod report.json). The lookahead keeps UNSAFE the one list of characters.
 */
const UNSAFE_EXCEPT_LINES = new RegExp(`(?![\\n\\t])${UNSAFE.source}`, 'g');

/** Names the escapes a reader knows; everything else as `\uXXXX`. */
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escapeCharacter = (c: string): string => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** True when `text` holds a character that is unsafe to show or paste raw. */
export const hasUnsafeCharacters = (text: string): boolean => UNSAFE.test(text);

/** The first unsafe character of `text` as `U+000A`, for messages; `null` when there is none. */
export function firstUnsafeCharacter(text: string): string | null {
  const match = UNSAFE.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** `text` with every unsafe character shown as an escape (`\n`, `\u001b`, `\u202e`): visible, inert. */
export const escapeUnsafe = (text: string): string => text.replace(UNSAFE_ALL, escapeCharacter);

/**
 * Like `escapeUnsafe`, but keeps line breaks and tabs of multi-line text (a report, a code block),
 * escaping only the characters that act on the terminal or hide text.
 */
export const escapeUnsafeKeepingLines = (text: string): string => text.replace(UNSAFE_EXCEPT_LINES, escapeCharacter);
