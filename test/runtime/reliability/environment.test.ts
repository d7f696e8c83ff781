// What the child is started with: the env policy, execArgv without --inspect, and module paths that are only paths.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModuleResolutionError, procxy } from 'procxy';
import { afterAll, describe, expect, it } from 'vitest';
import { allocatorTunables, inheritedExecArgv, inheritedNodeOptions } from '../../../runtime/options.js';
import { Worker } from '../fixtures/workers.mjs';
import {
  fixturesDir,
  guardLeaks,
  killIfAlive,
  rejection,
  runParent,
  scratch,
  waitGone,
  workersModule,
} from './helpers.js';

const pids = new Set<number>();
guardLeaks(pids);

const files = scratch();
afterAll(() => {
  files.cleanup();
});

const parentScript = join(fixturesDir, 'parent.mjs');

describe('env', () => {
  it('merges `env` over the parent environment; undefined removes a variable', async () => {
    const removed = 'PROCXY_REMOVED';
    process.env[removed] = 'present in the parent';
    const parentKeys = Object.keys(process.env);
    const worker = await procxy(Worker, workersModule, {
      env: { PROCXY_ADDED: 'added', PATH: '/nowhere', [removed]: undefined },
    });
    delete process.env[removed];
    pids.add(worker.$pid);
    try {
      const env = await worker.env();
      expect(env.PROCXY_ADDED).toBe('added');
      expect(env.PATH).toBe('/nowhere');
      expect(env).not.toHaveProperty(removed);
      for (const key of parentKeys) {
        if (key !== removed && key !== 'PATH') expect(env[key], key).toBe(process.env[key]);
      }
    } finally {
      await worker.$terminate();
    }
  });

  it.runIf(process.platform === 'linux')(
    'a child that inherits the environment gets the allocator tunables, unless the environment sets its own',
    async () => {
      const inherited = await procxy(Worker, workersModule);
      const own = await procxy(Worker, workersModule, {
        env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' },
      });
      const off = await procxy(Worker, workersModule, { env: { GLIBC_TUNABLES: undefined } });
      for (const w of [inherited, own, off]) pids.add(w.$pid);
      try {
        expect((await inherited.env()).GLIBC_TUNABLES).toBe(allocatorTunables);
        expect((await own.env()).GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=1');
        expect(await off.env()).not.toHaveProperty('GLIBC_TUNABLES');
      } finally {
        await Promise.all([inherited, own, off].map((w) => w.$terminate()));
      }
    },
  );

  it('inheritEnv: false gives the child exactly `env`', async () => {
    const worker = await procxy(Worker, workersModule, { inheritEnv: false, env: { ONLY_THIS: '1' } });
    pids.add(worker.$pid);
    try {
      expect(await worker.env()).toEqual({ ONLY_THIS: '1' });
    } finally {
      await worker.$terminate();
    }
  });

  it('takes process.env itself as env, and a null-prototype object', async () => {
    process.env.PROCXY_PASSED_ENV = 'yes';
    try {
      const passed = await procxy(Worker, workersModule, { inheritEnv: false, env: process.env });
      pids.add(passed.$pid);
      const bare = await procxy(Worker, workersModule, {
        inheritEnv: false,
        env: Object.assign(Object.create(null) as Record<string, string>, { BARE: '1' }),
      });
      pids.add(bare.$pid);
      try {
        expect((await passed.env()).PROCXY_PASSED_ENV).toBe('yes');
        expect(await bare.env()).toEqual({ BARE: '1' });
      } finally {
        await Promise.all([passed.$terminate(), bare.$terminate()]);
      }
    } finally {
      delete process.env.PROCXY_PASSED_ENV;
    }
  });
});

describe('execArgv', () => {
  it('the parent’s --inspect is not inherited, its other Node options are', async () => {
    const parent = runParent('parent.mjs', ['execArgv'], {
      nodeArgs: ['--inspect=127.0.0.1:0', '--max-old-space-size=123', '--no-warnings'],
    });
    try {
      const report = await parent.message<{ child: number; parentExecArgv: string[]; execArgv: string[] }>(
        'execArgv',
      );
      pids.add(report.child);
      expect(report.parentExecArgv).toContain('--inspect=127.0.0.1:0');
      expect(report.execArgv).toEqual(['--max-old-space-size=123', '--no-warnings']);
      expect((await parent.exit(5_000)).code).toBe(0);
    } finally {
      killIfAlive(parent.pid);
    }
  });
});

describe('NODE_OPTIONS and options with a value of their own', () => {
  type Report = { child: number; execArgv: string[]; debugger: string | null; NODE_OPTIONS: string | null };

  async function childOf(options: Parameters<typeof runParent>[2]): Promise<Report> {
    const parent = runParent('parent.mjs', ['execArgv'], options);
    try {
      const report = await parent.message<Report>('execArgv');
      pids.add(report.child);
      expect((await parent.exit(5_000)).code).toBe(0);
      return report;
    } finally {
      killIfAlive(parent.pid);
    }
  }

  it('the parent’s --inspect in NODE_OPTIONS is not inherited: the child runs no debugger', async () => {
    const report = await childOf({ env: { NODE_OPTIONS: '--inspect=127.0.0.1:0 --max-old-space-size=123' } });
    expect(report.debugger).toBeNull();
    expect(report.NODE_OPTIONS).toBe('--max-old-space-size=123');
  });

  it('an option dropped with its value in the next word takes the value along (the child starts)', async () => {
    const report = await childOf({ nodeArgs: ['--inspect-port', '0', '--no-warnings'] });
    expect(report.execArgv).toEqual(['--no-warnings']);
  });

  describe('a child started in another directory (cwd)', () => {
    interface Started {
      child: number;
      execArgv: string[];
      env: Record<string, string>;
    }
    async function started(options: object, run: Parameters<typeof runParent>[2]): Promise<Started> {
      const parent = runParent('parent.mjs', ['options', JSON.stringify(options)], {
        cwd: files.dir,
        ...run,
      });
      try {
        const report = await parent.message<Started>('execArgv');
        pids.add(report.child);
        expect((await parent.exit(5_000)).code).toBe(0);
        return report;
      } finally {
        killIfAlive(parent.pid);
      }
    }
    const preload = (name: string) => `process.env.PROCXY_PRELOADED_${name} = '1';\n`;

    it('loads the preloads the parent loaded, named relative to the parent’s directory', async () => {
      writeFileSync(join(files.dir, 'pre-require.cjs'), preload('REQUIRE'));
      writeFileSync(join(files.dir, 'pre-import.mjs'), preload('IMPORT'));
      writeFileSync(join(files.dir, 'pre-options.cjs'), preload('OPTIONS'));
      const report = await started(
        { cwd: dirname(files.dir) },
        {
          nodeArgs: ['-r', './pre-require.cjs', '--import=./pre-import.mjs'],
          env: { NODE_OPTIONS: '--require ./pre-options.cjs' },
        },
      );
      expect(report.env).toMatchObject({
        PROCXY_PRELOADED_REQUIRE: '1',
        PROCXY_PRELOADED_IMPORT: '1',
        PROCXY_PRELOADED_OPTIONS: '1',
      });
      expect(report.execArgv).toEqual([
        '-r',
        join(files.dir, 'pre-require.cjs'),
        `--import=${pathToFileURL(join(files.dir, 'pre-import.mjs')).href}`,
      ]);
    });

    it('does not read the parent’s --env-file again: the env policy decides', async () => {
      writeFileSync(join(files.dir, 'vars.env'), 'PROCXY_FROM_ENV_FILE=yes\n');
      const report = await started(
        { inheritEnv: false, env: { ONLY: '1' } },
        { nodeArgs: ['--env-file=vars.env'] },
      );
      expect(report.env).toEqual({ ONLY: '1' });
      const removed = await started(
        { env: { PROCXY_FROM_ENV_FILE: undefined } },
        { nodeArgs: ['--env_file=vars.env'] },
      );
      expect(removed.env).not.toHaveProperty('PROCXY_FROM_ENV_FILE');
    });
  });

  it('drops what the parent had, keeps the rest as written', () => {
    expect(
      inheritedExecArgv([
        '--inspect-port',
        '9230',
        '--no-warnings',
        '--test-reporter',
        'tap',
        '-r',
        './x.js',
      ]),
    ).toEqual(['--no-warnings', '-r', './x.js']);
    expect(inheritedExecArgv(['--inspect', '--max-old-space-size=123'])).toEqual([
      '--max-old-space-size=123',
    ]);
    expect(inheritedExecArgv(['--eval', '-1', '--no-warnings'])).toEqual(['--no-warnings']);
    // The code of an eval or print given in the same word, or after Node's combined -pe and -ep, goes too.
    for (const evaluated of [['--eval=run()'], ['--print=run()'], ['-pe', 'run()'], ['-ep', '-1']]) {
      expect(inheritedExecArgv([...evaluated, '--no-warnings'])).toEqual(['--no-warnings']);
    }
    // Node reads `_` in an option's name as `-`.
    expect(inheritedExecArgv(['--input_type=module', '--no_warnings'])).toEqual(['--no_warnings']);
    expect(inheritedNodeOptions('--inspect-brk')).toBeUndefined();
    expect(inheritedNodeOptions('  --require "./a b.js"  --inspect-port 9230 --no-warnings')).toBe(
      '--require "./a b.js" --no-warnings',
    );
    expect(inheritedNodeOptions('--require "./\\"--inspect\\".js"')).toBe('--require "./\\"--inspect\\".js"');
  });

  it('an `env` that sets NODE_OPTIONS is the child’s as given', async () => {
    const worker = await procxy(Worker, workersModule, {
      env: { NODE_OPTIONS: '--inspect-port=0 --no-warnings' },
    });
    pids.add(worker.$pid);
    try {
      expect((await worker.env()).NODE_OPTIONS).toBe('--inspect-port=0 --no-warnings');
    } finally {
      await worker.$terminate();
    }
  });
});

/** Runs the fixture parent's `scenario` under a shell limit (`ulimit <limit>`). */
function underUlimit(limit: string, scenario: string) {
  return spawnSync(
    'bash',
    ['-c', `ulimit ${limit} && exec "${process.execPath}" "${parentScript}" ${scenario}`],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
}

describe('limits', () => {
  it('a worker that cannot start for want of file descriptors is a SpawnError; the parent and its workers live on, and no descriptor leaks', () => {
    // Limits that leave a spawn a few descriptors short (where libuv makes some pipes, then fails) and none at all.
    for (const limit of [40, 44, 48]) {
      const run = underUlimit(`-n ${limit}`, 'fd-limit');
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as {
        started: number;
        refused: unknown;
        serving: boolean;
        leaked: number;
      };
      expect(report.started).toBeGreaterThan(0);
      expect(report.refused).toEqual({
        name: 'SpawnError',
        code: 'PROCXY_SPAWN',
        message: expect.stringMatching(/no file descriptor was left for its pipes \(E[MN]FILE/),
      });
      expect(report.serving).toBe(true);
      expect(report.leaked, `ulimit -n ${limit}`).toBe(0);
    }
  });
});

describe('memory', () => {
  it('a message from a worker that this process has no memory for ends that worker with MessageTooLargeError; the parent and its other workers live on', () => {
    const probe = spawnSync(process.execPath, [parentScript, 'vm-peak'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const { peakKiB } = JSON.parse(probe.stdout) as { peakKiB: number };
    // Room for what the processes take, 1 GiB to spare, and not for the 4 GiB the worker announces.
    const limitKiB = peakKiB + 1024 * 1024;
    const run = underUlimit(`-v ${limitKiB}`, 'no-memory');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      error: { name: string; message: string; bytes: number };
      echo: string;
    };
    expect(report.error).toEqual({
      name: 'MessageTooLargeError',
      message: expect.stringMatching(
        /^The worker Worker sent a message this process has no memory for \(No memory for a frame of 4294967294 bytes \(.+\)\); lower maxMessageBytes to have the worker refuse it; it was terminated$/,
      ),
      bytes: 2 ** 32 - 2,
    });
    expect(report.echo).toBe('unaffected');
  });
});

/**
 * The fixture parent running `args`, its stderr a pipe the test reads when it chooses: `reported` once it says
 * something on stdout (or exits), `ended` with its exit code and what it said (a JSON report).
 */
function parentWithStderrPipe(args: readonly string[]) {
  const run = spawn(process.execPath, [parentScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const reported = new Promise<void>((resolve) => {
    run.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      resolve();
    });
    run.once('exit', () => resolve());
  });
  const ended = once(run, 'exit').then(([code]) => ({
    code: code as number | null,
    report: JSON.parse(stdout) as unknown,
  }));
  return { stderr: run.stderr, reported, ended };
}

describe('the parent’s stderr', () => {
  it('gone (its reader closed the pipe): the worker’s stderr is not copied there, and the parent lives on', async () => {
    const parent = parentWithStderrPipe(['stderr-gone']);
    parent.stderr.destroy();
    const { code, report } = await parent.ended;
    expect(code).toBe(0);
    expect(report).toEqual({ answers: ['warned', 'warned', 'warned', 'still serving'] });
  });
});

describe('the parent’s stderr, slow', () => {
  it('holds little of what the worker writes while its reader does not read: the worker waits instead', async () => {
    const parent = parentWithStderrPipe(['stderr-flood', '32']);
    // Nothing reads the parent's stderr for a while: without a limit, it would hold all 32 MiB the worker writes.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    let copied = 0;
    parent.stderr.on('data', (chunk: Buffer) => {
      copied += chunk.length;
    });
    const { code, report } = (await parent.ended) as {
      code: number | null;
      report: { wrote: number; most: number };
    };
    expect(code).toBe(0);
    expect(report.wrote).toBe(32);
    expect(report.most).toBeLessThan(4 * 1024 * 1024);
    expect(copied).toBe(32 * 1024 * 1024);
  }, 60_000);
});

describe('the parent’s stderr, slow, and a worker that dies', () => {
  it('reads what the dead worker wrote to the end for its crash report, however far behind the parent’s stderr is', async () => {
    const parent = parentWithStderrPipe(['stderr-crash']);
    // Nothing reads the parent's stderr until the crash is reported.
    await parent.reported;
    parent.stderr.resume();
    const { code, report } = (await parent.ended) as {
      code: number | null;
      report: { deaths: unknown[]; listeners: number; warnings: string[] };
    };
    expect(code).toBe(0);
    expect(report.deaths).toEqual([
      { name: 'ChildCrashedError', exitCode: 7, lastWords: 'Error: the reason it died\n' },
    ]);
    expect(report.listeners).toBeLessThanOrEqual(2);
    expect(report.warnings).toEqual([]);
  }, 60_000);
});

describe('module paths that look like options', () => {
  it('a relative "--eval=..." path that does not exist is ModuleResolutionError naming the file', async () => {
    class Anything {}
    const error = (await rejection(procxy(Anything, '--eval=process.exit(3)'))) as ModuleResolutionError;
    expect(error).toBeInstanceOf(ModuleResolutionError);
    expect(error.message).toContain(`${process.cwd()}/--eval=process.exit(3)`);
  });

  it('a relative "--eval=..." path that exists is imported as a file', async () => {
    writeFileSync(
      files.file('--eval=x.mjs'),
      `export { Worker } from ${JSON.stringify(workersModule.href)};\n`,
    );
    const parent = runParent('parent.mjs', ['relative', '--eval=x.mjs'], { cwd: files.dir });
    try {
      const { child, answer } = await parent.message<{ child: number; answer: number }>('child');
      pids.add(child);
      expect(answer).toBe(child);
      expect((await parent.exit(5_000)).code).toBe(0);
      await waitGone(child);
    } finally {
      killIfAlive(parent.pid);
    }
  });
});
