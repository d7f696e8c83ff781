// CPU µs of this process and of given child processes: a cost that load moves far less than wall time.
import { readdirSync, readFileSync } from 'node:fs';

// The first field of a thread's schedstat is its time on a CPU in ns (user and kernel); summing the threads
// counts V8's helper threads too. Null when /proc has no schedstat (not Linux, or scheduler stats are off).
function childMicros(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  }
  return total / 1000;
}

export function cpuMicros(pids) {
  const { user, system } = process.cpuUsage();
  let children = 0;
  try {
    for (const pid of pids) children += childMicros(pid);
  } catch {
    return null;
  }
  return { parent: user + system, children };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const idleLimitMs = 50;

/**
 * Waits until `usedMicros` (CPU µs used so far by what is watched; null once it cannot be read) grew by less than a
 * quarter of a CPU over a millisecond, 50 ms at most. This process's main thread sleeps meanwhile.
 */
export async function untilIdle(usedMicros) {
  const started = performance.now();
  for (;;) {
    const before = usedMicros();
    const t0 = performance.now();
    await sleep(1);
    const after = usedMicros();
    const now = performance.now();
    // Nothing left to measure (a watched child exited, or there is no /proc): nothing to wait for.
    if (before === null || after === null) return;
    if ((after - before) / 1000 < (now - t0) / 4 || now - started > idleLimitMs) return;
  }
}

/**
 * Waits until the processes `pids` (the other rows' children) are idle: a child still busy with its row's last call
 * (collecting what it decoded, say) would otherwise run on the next row's clock, and with two cores it takes the core
 * that row's child would have had.
 */
export async function othersQuiet(pids) {
  if (pids.length > 0) await untilIdle(() => cpuMicros(pids)?.children ?? null);
}
