// The flags that name addresses and marks: -z/--zones [FILE], --src-zone/--dst-zone (filters:
// list, watch, top) and --mark-map FILE. Declared once so every command spells them the same.

import { Command } from 'commander';
import type { ConnPredicate } from '../filter/compile-filter.js';
import { loadMarkMap, type MarkMap } from '../host/mark-map.js';
import { EXTERNAL_ZONE, loadZones, type Zones } from '../host/zones.js';
import { usageError } from '../errors.js';
import type { ConnExtras } from '../render/conn-extras.js';
import { FILTER, inGroup, OUTPUT } from './help-groups.js';

export interface ZoneFlags {
  /** true for a bare --zones (interface default), a path for --zones FILE */
  zones?: string | boolean;
  srcZone?: string;
  dstZone?: string;
  markMap?: string;
}

const ZONES_HELP = 'name each end by zone: --zones FILE (NAME CIDR… per line, or JSON), bare -z = interface subnets, local, external';

/** -z for a command that shows no zones (top): it only says what --src-zone/--dst-zone mean. */
export const ZONES_FOR_FILTERS_HELP =
  'the zones --src-zone/--dst-zone mean: --zones FILE (NAME CIDR… per line, or JSON); default (or bare -z): interface subnets, local, external';

/** -z names each end (an output column) or, for top, only gives --src-zone/--dst-zone their meaning. */
export function addZonesOption(cmd: Command, help = ZONES_HELP): Command {
  return inGroup(cmd, help === ZONES_HELP ? OUTPUT : FILTER, (c) => c.option('-z, --zones [file]', help));
}

export function addZoneFilterOptions(cmd: Command): Command {
  return inGroup(cmd, FILTER, (c) => c
    .option('--src-zone <name>', 'only connections whose original source is in this zone (implies -z)')
    .option('--dst-zone <name>', 'only connections whose original destination is in this zone (implies -z)'));
}

export function addMarkMapOption(cmd: Command): Command {
  return inGroup(cmd, OUTPUT, (c) => c.option('--mark-map <file>', 'name the bit fields of the mark (JSON: {"FIELD": {"mask": "0xff00", "names": {"7": "HTTP"}}})'));
}

/** The zones asked for: a file, the interface default, or none; --src-zone/--dst-zone must name one of them. */
export async function zonesFrom(flags: ZoneFlags): Promise<Zones | undefined> {
  const zones = typeof flags.zones === 'string'
    ? await loadZones(flags.zones)
    : flags.zones === true || flags.srcZone !== undefined || flags.dstZone !== undefined ? await loadZones(undefined) : undefined;
  if (zones !== undefined) {
    checkZoneName(flags.srcZone, '--src-zone', zones);
    checkZoneName(flags.dstZone, '--dst-zone', zones);
  }
  return zones;
}

/**
 * A zone filter that names no zone would match nothing, silently: a typo (`--src-zone lna`)
 * looked like an empty table. The names an end can get are the networks' and `external`.
 */
function checkZoneName(name: string | undefined, flag: string, zones: Zones): void {
  if (name === undefined) return;
  const names = [...new Set([...zones.networks.map((n) => n.name), EXTERNAL_ZONE])];
  if (!names.includes(name)) throw usageError(`ctflow: ${flag}: expected a zone name, one of ${names.join(', ')}, got ${JSON.stringify(name)}`);
}

export async function markMapFrom(flags: ZoneFlags): Promise<MarkMap | undefined> {
  return flags.markMap === undefined ? undefined : loadMarkMap(flags.markMap);
}

export async function extrasFrom(flags: ZoneFlags): Promise<ConnExtras> {
  return { zones: await zonesFrom(flags), markMap: await markMapFrom(flags) };
}

/** The filter with --src-zone/--dst-zone added (unchanged when neither is given). */
export function withZoneFilter(filter: ConnPredicate, flags: ZoneFlags, zones: Zones | undefined): ConnPredicate {
  const { srcZone, dstZone } = flags;
  if (zones === undefined || (srcZone === undefined && dstZone === undefined)) return filter;
  return (c) =>
    filter(c) &&
    (srcZone === undefined || zones.zoneOf(c.original.src) === srcZone) &&
    (dstZone === undefined || zones.zoneOf(c.original.dst) === dstZone);
}
