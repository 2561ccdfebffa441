// The scan jobs by name: what a scan worker is told to run (a name crosses into a worker, a
// function cannot), and what this thread runs for the same name.

import { createJob as flows } from './flows-job.js';
import { createJob as list } from './list-job.js';
import { createJob as stats } from './stats-job.js';

export const JOBS = { flows, list, stats } as const;

export type JobName = keyof typeof JOBS;
