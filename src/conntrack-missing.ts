// One sentence for "the conntrack binary is not there", whichever command wanted it (--exec
// readers, watch, delete, update, flush, api): what could not run, and the two ways out.

import { CtflowError } from './errors.js';

export function conntrackMissing(bin: string): CtflowError {
  return new CtflowError(
    `ctflow: cannot run ${bin}: not found; install conntrack-tools (apt-get install conntrack), or name the binary with --conntrack-bin`,
    { code: 'ENOCONNTRACK' },
  );
}
