/** Errors the CLI maps to exit codes and one-line messages. */

/** Bad command-line input (exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** 4: `collect`/`audit` could not describe the cluster at all (access denied, AWS unreachable): no snapshot. */
export const EXIT = { ok: 0, failOn: 1, badInput: 2, internal: 3, collectFailed: 4 } as const;
