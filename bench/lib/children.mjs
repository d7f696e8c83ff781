// Child-process hygiene: which processes this bench has forked and not yet reaped, and making sure none outlive a row.
import { readdirSync, readFileSync } from 'node:fs';

// Every row's children are this process's direct children, whatever library forked them, so /proc finds them all
// (even a child whose start() never resolved). Without /proc (not Linux) this safety net is simply absent.
export function livingChildren() {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses; the fixed fields start after its last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(ppid) === process.pid && state !== 'Z') pids.push(Number(name));
  }
  return pids;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const killQuietly = (pid) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone between the scan and the kill.
  }
};

// Waits until none of `pids` is alive (all children when `pids` is omitted), so that an exiting child never
// competes for CPU with a measurement. Returns the pids that had to be SIGKILLed after `graceMs`.
export async function settleChildren(graceMs, pids) {
  const alive = () => {
    const living = livingChildren();
    return pids === undefined ? living : living.filter((pid) => pids.includes(pid));
  };
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (alive().length === 0) return [];
    await sleep(5);
  }
  const stuck = alive();
  for (const pid of stuck) killQuietly(pid);
  for (let k = 0; k < 200 && alive().length > 0; k++) await sleep(5);
  return stuck;
}

export function killChildrenNow() {
  for (const pid of livingChildren()) killQuietly(pid);
}
