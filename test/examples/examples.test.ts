// Smoke tests of examples/: each runs as a user would run it, exits 0, prints its key line and leaves no child behind.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isGone } from '../runtime/reliability/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The worker pids an example printed (as `worker pid N` or `from worker N`). */
function workerPids(stdout: string): number[] {
  return [...stdout.matchAll(/worker (?:pid )?(\d+)/g)].map((m) => Number(m[1]));
}

describe.concurrent('examples', () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ['stubs', /greet: Hi, Ada![\s\S]*add: 5 and 'procxy'[\s\S]*stubs: ok/],
    ['no-build', /caught OutOfStockError: Only 1 of pear left[\s\S]*cause: RangeError[\s\S]*no-build: ok/],
    ['binary', /parent's buffer after transfer: byteLength 0[\s\S]*binary: ok/],
    ['stateful', /progress 1\/8 2\/8[\s\S]*cancelled: AbortError[\s\S]*stateful: ok/],
    ['tcp', /connections per worker: 2, 2, 2[\s\S]*tcp: ok/],
    ['bundled', /esbuild: 0 errors[\s\S]*sorted in pid \d+[\s\S]*: apple fig pear[\s\S]*bundled: ok/],
    ['analytics', /exact: true[\s\S]*json mode refuses it: SerializationError[\s\S]*analytics: ok/],
  ];
  it('examples/README.md lists these and bad, the one without a main.mjs', () => {
    const readme = readFileSync(`${root}/examples/README.md`, 'utf8');
    const listed = [...readme.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]!);
    expect(listed.filter((name) => name !== 'bad').sort()).toEqual(cases.map(([name]) => name).sort());
    expect(listed).toContain('bad');
    expect(existsSync(`${root}/examples/bad/main.mjs`)).toBe(false);
  });
  for (const [name, expected] of cases) {
    it(`examples/${name}/main.mjs exits 0 and leaves no worker running`, async () => {
      const run = await node([`examples/${name}/main.mjs`]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(expected);
      for (const pid of workerPids(run.stdout)) expect(isGone(pid), `worker ${pid} still running`).toBe(true);
    });
  }
});

// After the others: the demo runs the stubs example too, which rewrites the same files in dist/examples.
describe('demo', () => {
  it('the demo shows the bad worker refused, runs every example and prints the bench table', async () => {
    const run = await node(['examples/demo.mjs', '--check']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/files up to date/);
    expect(run.stdout).toMatch(/examples\/bad\/clock\.ts:6:10 - error PRX1003/);
    expect(run.stdout).toMatch(/procxy advanced \+ transfer\(\)/);
    expect(run.stdout).toMatch(/demo: every example ran and exited 0/);
  });
});
