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
