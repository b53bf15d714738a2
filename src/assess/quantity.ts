/** Kubernetes resource quantities (`1000`, `500m`, `1000Gi`, `1.5k`, `1e3`) as plain numbers of the base unit. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** `1000Gi` → 1073741824000, `500m` → 0.5; `undefined` when the text is not a quantity (apimachinery's grammar). */
export function parseQuantity(text: string | undefined): number | undefined {
  const match = text === undefined ? null : /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * (match[2] ? 10 ** Number(match[2].slice(1)) : 1);
  const suffix = match[3] ?? '';
  const multiplier = BINARY[suffix] ?? DECIMAL[suffix];
  return multiplier === undefined || !Number.isFinite(value) ? undefined : value * multiplier;
}

/**
 * A share as the reports print it, the one rounding every rule and view uses: `0.0007` → `0.07%`,
 * `1` → `100%` (two decimals at most, none when whole), so one figure never reads two ways.
 */
export const percentText = (ratio: number): string => `${Number((ratio * 100).toFixed(2))}%`;
