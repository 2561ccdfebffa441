// `stats --interval S --count N`: take N samples of the table S seconds apart. Each sample is the
// entry count and the per-state counts; the caller supplies how to take one (a table pass in the
// command, a fake in tests) and gets each sample as it arrives for the live line. Samples are
// scheduled from the start time, not from the previous sample's end, so a slow read does not make
// the series drift.

export interface Sample {
  /** Unix time in seconds, millisecond precision (sub-second intervals stay increasing) */
  time: number;
  connections: number;
  /** "protocol/STATE" for tcp, sctp and dccp, the protocol name for the others */
  states: Record<string, number>;
}

export interface SamplerOptions {
  intervalMs: number;
  /** undefined: until stopped */
  count: number | undefined;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** checked before each wait; true ends the run early (Ctrl-C) */
  stopped?: () => boolean;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function sampleTable(
  take: () => Promise<{ connections: number; states: Record<string, number> }>,
  options: SamplerOptions,
  onSample: (sample: Sample, index: number) => void,
): Promise<Sample[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const samples: Sample[] = [];
  const start = now();
  for (let i = 0; options.count === undefined || i < options.count; i++) {
    if (i > 0) {
      const wait = start + i * options.intervalMs - now();
      if (wait > 0) await sleep(wait);
    }
    if (options.stopped?.() === true) break;
    const taken = await take();
    let time = Math.round(now()) / 1000;
    // Two samples within one millisecond would share a timestamp; the series must increase.
    const prev = samples[samples.length - 1];
    if (prev !== undefined && time <= prev.time) time = Math.round(prev.time * 1000 + 1) / 1000;
    const sample: Sample = { time, connections: taken.connections, states: taken.states };
    samples.push(sample);
    onSample(sample, i);
  }
  return samples;
}

/** The state key a sample counts an entry under. */
export function stateKey(protocol: string, state: string | undefined): string {
  return state === undefined ? protocol : `${protocol}/${state}`;
}
