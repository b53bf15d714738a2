/**
 * Deterministic ids, names and times: everything the builder would otherwise draw at random is
 * derived from hashes of stable seeds, so the samples regenerate byte for byte on any machine.
 */
import { createHash } from 'node:crypto';

/** Up to 64 hex digits derived from a seed (SHA-256: stable across runs and platforms). */
export const digest = (seed: string, length = 64): string => createHash('sha256').update(seed).digest('hex').slice(0, length);

export function hexOf(seed: string, length: number): string {
  if (length <= 64) return digest(seed, length);
  let out = '';
  for (let round = 0; out.length < length; round++) out += digest(`${seed}#${round}`);
  return out.slice(0, length);
}

export const numberOf = (seed: string, modulo: number): number => Number.parseInt(digest(seed, 12), 16) % modulo;

export function uuidOf(seed: string): string {
  const h = digest(seed, 32);
  const variant = (8 + (Number.parseInt(h[16]!, 16) % 4)).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const KUBE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function kubeSuffix(seed: string, length: number): string {
  const h = hexOf(seed, length * 2);
  let out = '';
  for (let i = 0; i < length; i++) out += KUBE_ALPHABET[Number.parseInt(h.slice(i * 2, i * 2 + 2), 16) % KUBE_ALPHABET.length];
  return out;
}

/** AWS-style resource id, e.g. `i-0` + 12 hex fixed per cluster and kind + 4 hex counter (17 hex in all). */
export const awsId = (prefix: string, scope: string, index: number): string =>
  `${prefix}-0${digest(`${prefix}/${scope}`).slice(0, 12)}${index.toString(16).padStart(4, '0')}`;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** RFC 3339 to the second, as Kubernetes writes timestamps. */
export const kubeTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** ISO 8601 with milliseconds, as the AWS SDK's `Date` values serialise. */
export const awsTime = (ms: number): string => new Date(ms).toISOString();
