/** The snapshot input error, apart from the loader so that the CLI can catch it without loading the schema. */

/** The input is not a usable snapshot; `message` is one line naming the file and the problem. */
export class SnapshotInputError extends Error {
  override readonly name = 'SnapshotInputError';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}
