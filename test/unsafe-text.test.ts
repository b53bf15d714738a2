/**
 * The escapes every rendering goes through: multi-line text keeps its line feeds and tabs and
 * nothing else that acts on a terminal or hides text (ESC, CR, bidi overrides, zero-width and line
 * separators), checked character by character against the full unsafe set.
 */
import { describe, expect, it } from 'vitest';
import { escapeUnsafe, escapeUnsafeKeepingLines, hasUnsafeCharacters } from '../src/assess/unsafe-text.js';

describe('escapeUnsafeKeepingLines', () => {
  it('keeps line feeds and tabs, escapes carriage returns, ESC and the characters that reorder or hide text', () => {
    const text = 'line one\n\tindented\r\n\u001b[2Jcleared \u202eevil\u202c \u200bzero\u2028sep\ufeff';
    expect(escapeUnsafeKeepingLines(text)).toBe('line one\n\tindented\\r\n\\u001b[2Jcleared \\u202eevil\\u202c \\u200bzero\\u2028sep\\ufeff');
  });

  it('escapes exactly what escapeUnsafe escapes, except line feed and tab', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      const kept = escapeUnsafeKeepingLines(c) === c;
      if (c === '\n' || c === '\t') expect(kept, `U+${code.toString(16)}`).toBe(true);
      else expect(kept, `U+${code.toString(16)}`).toBe(!hasUnsafeCharacters(c));
      // Escaped the same way: `\r` by name, the rest as `\uXXXX`.
      if (!kept) expect(escapeUnsafeKeepingLines(c)).toBe(escapeUnsafe(c));
    }
  });
});
