// Zones and mark-map files for the nat-router capture (topology.txt: clients 10.1.0.0/24 and
// fd00:a1::/64, servers 10.2.0.0/16 and fd00:a2::/32, the web server 10.2.0.2, the router 10.1.0.1),
// written to a fresh temp dir for the --zones/-z, --src-zone/--dst-zone and --mark-map tests.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ZoneFiles {
  /** text format: NAME CIDR… per line */
  zones: string;
  /** the same zones as JSON */
  zonesJson: string;
  marks: string;
}

export function zoneFiles(): ZoneFiles {
  const dir = mkdtempSync(join(tmpdir(), 'ctflow-zones-'));
  const zones = join(dir, 'zones.txt');
  const zonesJson = join(dir, 'zones.json');
  const marks = join(dir, 'marks.json');
  writeFileSync(zones, '# router test zones\nclients 10.1.0.0/24 fd00:a1::/64\nservers 10.2.0.0/16 fd00:a2::/32\nweb 10.2.0.2/32 fd00:a2::2/128\nrouter 10.1.0.1\n');
  writeFileSync(zonesJson, JSON.stringify({ clients: ['10.1.0.0/24', 'fd00:a1::/64'], servers: ['10.2.0.0/16', 'fd00:a2::/32'], web: ['10.2.0.2/32', 'fd00:a2::2/128'], router: '10.1.0.1' }));
  writeFileSync(marks, JSON.stringify({ app: { mask: '0xff00', names: { 92: 'web' } }, low: { mask: '0xff', names: { 1: 'dns' } } }));
  return { zones, zonesJson, marks };
}
