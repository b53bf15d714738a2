/** This auditor as its reports name it: the package's name and version, handed to `assess` by the edges that run it. */
import packageJson from '../../package.json' with { type: 'json' };
import type { Auditor } from '../assess/assess.js';

export const AUDITOR: Auditor = { name: packageJson.name, version: packageJson.version };
