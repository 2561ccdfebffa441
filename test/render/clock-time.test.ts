// Times for people are local (TZ) in every view (issue 16: one time format).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localClock, localDateTime } from '../../src/render/clock-time.js';
import { withEnv } from '../helpers/env.js';

/** `fn` with the process in time zone `tz`. */
const inZone = <T>(tz: string, fn: () => T): T => withEnv('TZ', tz, fn);

const T = 1795512291.1227875; // 2026-11-24T09:24:51.1227875Z

test('local clock and date-time follow TZ: UTC, and India (+05:30, no summer time)', () => {
  assert.deepStrictEqual(inZone('UTC', () => [localClock(T), localClock(T, 3), localClock(T, 6), localDateTime(T)]),
    ['09:24:51', '09:24:51.123', '09:24:51.122787', '2026-11-24 09:24:51']);
  assert.deepStrictEqual(inZone('Asia/Kolkata', () => [localClock(T), localDateTime(T)]), ['14:54:51', '2026-11-24 14:54:51']);
});

test('a fraction is rounded but never into the next second', () => {
  assert.deepStrictEqual(inZone('UTC', () => [localClock(1795512291.9996, 3), localClock(1795512291.9996, 6), localClock(1795512291.0004, 3)]),
    ['09:24:51.999', '09:24:51.999600', '09:24:51.000']);
});
