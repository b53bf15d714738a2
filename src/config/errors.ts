/** The configuration error, apart from the schema so that the CLI can catch it without loading zod. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
