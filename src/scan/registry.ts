// The scan jobs by name: what a scan worker is told to run (a name crosses into a worker, a
// function cannot), and what this thread runs for the same name.

import type { Job, JobName } from './job.js';
import { CONN_TABLE } from './conn-table-job.js';
import { FLOWS } from './flows-job.js';
import { LIST } from './list-job.js';
import { STATS } from './stats-job.js';
import { STORE_ROWS } from './store-rows-job.js';

/** each job has its own params, state and part types */
export const JOBS: Record<JobName, Job<any, any, any>> = { 'conn-table': CONN_TABLE, flows: FLOWS, list: LIST, stats: STATS, 'store-rows': STORE_ROWS };
