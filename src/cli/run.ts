/** The compiled CLI's entry point (bin/calico-audit.js loads its build from dist/cli/run.js). */
import { main } from './main.js';

process.exitCode = await main(process.argv);
