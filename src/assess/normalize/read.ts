/**
 * Defensive readers for API objects whose inner shapes are not guaranteed: a Calico spec may
 * carry a number where a string belongs, or nothing at all. Each reader returns a typed value
 * or `undefined`, so the normaliser never throws on odd data.
 */

export type Json = Record<string, unknown>;

export const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};

export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

export const integer = (value: unknown): number | undefined => {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number.parseInt(value.trim(), 10);
  return undefined;
};

/** Reads a boolean, accepting the string forms env vars and ConfigMaps use. */
export const flag = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lowered = value.trim().toLowerCase();
    if (lowered === 'true' || lowered === 'enabled') return true;
    if (lowered === 'false' || lowered === 'disabled') return false;
  }
  return undefined;
};

export const strings = (value: unknown): string[] =>
  list(value).flatMap((item) => {
    const s = text(item);
    return s === undefined ? [] : [s];
  });

export const labelMap = (value: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(record(value))) {
    const s = text(raw);
    if (s !== undefined) out[key] = s;
  }
  return out;
};
