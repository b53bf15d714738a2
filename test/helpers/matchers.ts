/**
 * vitest's asymmetric matchers, as `unknown`: vitest declares them `any` (so one fits wherever an
 * expected value goes), which puts an `any` into every object literal that holds one. These are the
 * same matchers, typed as what they are to the code around them: an opaque expected value.
 */
import { expect } from 'vitest';

/** `expect.stringContaining(text)`. */
export const stringContaining = (text: string): unknown => expect.stringContaining(text);

/** `expect.stringMatching(pattern)`. */
export const stringMatching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);

/** `expect.any(constructor)`. */
export const anyOf = (constructor: unknown): unknown => expect.any(constructor);

/** `expect.objectContaining(object)`. */
export const objectContaining = (object: Record<string, unknown>): unknown => expect.objectContaining(object);

/** `expect.arrayContaining(items)`. */
export const arrayContaining = (items: unknown[]): unknown => expect.arrayContaining(items);
