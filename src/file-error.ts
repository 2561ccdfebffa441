// One wording for a file ctflow cannot read, whichever option named it (--file, --zones,
// --mark-map): "cannot read PATH: no such file", never an errno code. The kernel's own table gets
// the way out too (load the module, run as root, or pipe it in).

import { CtflowError } from './errors.js';

export function fileError(path: string, err: NodeJS.ErrnoException, isProc: boolean): CtflowError {
  switch (err.code) {
    case 'ENOENT':
      return new CtflowError(
        isProc
          ? `ctflow: cannot read ${path}: it does not exist (is the nf_conntrack module loaded? try: modprobe nf_conntrack)`
          : `ctflow: cannot read ${path}: no such file`,
        { code: 'ENOENT' },
      );
    case 'EACCES':
    case 'EPERM':
      return new CtflowError(
        isProc
          ? `ctflow: cannot read ${path}: permission denied; run as root (sudo ctflow …), or pipe the table in: sudo cat ${path} | ctflow --stdin`
          : `ctflow: cannot read ${path}: permission denied`,
        { code: 'EACCES' },
      );
    case 'EISDIR':
      return new CtflowError(`ctflow: cannot read ${path}: it is a directory`, { code: 'EISDIR' });
    default:
      return new CtflowError(`ctflow: cannot read ${path}: ${err.message}`, { code: err.code ?? 'EIO' });
  }
}
