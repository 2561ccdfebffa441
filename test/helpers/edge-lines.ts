// Real fixture lines that tests change by hand into what the kernel prints on no demand (a
// helper named fé, an ESC in a field, a control character in a key).

import { readFileSync } from 'node:fs';
import { fixture } from './cli.js';

const lineOf = (rel: string, wanted: (line: string) => boolean): string => readFileSync(fixture(rel), 'utf8').split('\n').find(wanted)!;

/** conntrack -L's line of the FTP control connection (nat-router), `… helper=ftp use=3` */
export const FTP_LINE = lineOf('nat-router/conntrack_L.txt', (l) => l.includes('helper=ftp'));
/** an untracked protocol's entry (proto-zoo): `unknown  253 …` */
export const UNKNOWN_LINE = lineOf('proto-zoo/conntrack_L.txt', (l) => l.startsWith('unknown  253 '));
/** a DESTROY event `conntrack -D` caused (nat-router), ending `… id=N [USERSPACE] portid=N progname=conntrack` */
export const DESTROY_EVENT = lineOf('nat-router/events_E_o_extended_id_ktimestamp.txt', (l) => l.includes('progname=conntrack'));

/** `line` with `field` before its `use=`, where conntrack prints the fields it adds: the line still ends as conntrack ends it */
export const withField = (line: string, field: string): string => line.replace(' use=', ` ${field} use=`);
