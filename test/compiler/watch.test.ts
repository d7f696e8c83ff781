// `procxy generate --watch` on a temporary project: edits to files the worker imports are picked up.
import {
  copyFileSync,
  existsSync,
  watch as fsWatch,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../compiler/load-config.js';
import { watch } from '../../compiler/watch.js';
import { type WatchFolder, watchLimitMessage } from '../../compiler/watch-dirs.js';
import { removeTempProjects, scratchProject, startCli, tempProject } from './project.js';

afterAll(removeTempProjects);

/** Polls until `condition` holds; fails with `what` after `ms`. */
async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `procxy generate --watch` in `dir`, with what it printed so far. */
function startWatch(dir: string) {
  const cli = startCli(['generate', '--watch'], dir);
  const out = { stdout: '', stderr: '' };
  cli.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
  });
  cli.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  return {
    cli,
    out,
    summaries: (): number => out.stdout.match(/^procxy: .* in \d+ ms$/gm)?.length ?? 0,
  };
}

it('regenerates when an imported base class or type file changes', async () => {
  const dir = tempProject('analysis');
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/3 workers, 15 methods, 6 files written/);
    const stub = path.join(dir, 'src/shapes.worker.procxy.ts');

    // A method added to the base class in base.ts (imported by the worker) appears in the stub.
    const base = path.join(dir, 'src/base.ts');
    writeFileSync(
      base,
      readFileSync(base, 'utf8').replace(
        '  protected size',
        '  clear(): void {\n    this.#items.length = 0;\n  }\n\n  protected size',
      ),
    );
    await until(
      () => readFileSync(stub, 'utf8').includes('clear(): Promise<void>;'),
      'the stub to gain clear()',
    );
    await until(() => summaries() === 2, 'the second summary');
    expect(out.stdout.split('\n').filter((l) => l.startsWith('procxy: '))[1]).toMatch(
      /16 methods, 2 files written/,
    );

    // A type-only file: Options gains a Date, which json mode rejects.
    const types = path.join(dir, 'src/types.ts');
    const original = readFileSync(types, 'utf8');
    writeFileSync(
      types,
      original.replace('readonly label: string;', 'readonly label: string;\n  readonly at: Date;'),
    );
    await until(() => summaries() === 3, 'the run after the type change');
    expect(out.stdout).toMatch(/error PRX\d{4}: .*Date/);
    expect(out.stdout).toMatch(/procxy: [1-9]\d* errors?, 0 warnings; .* nothing written/);

    writeFileSync(types, original);
    await until(() => summaries() === 4, 'the run after the fix');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^procxy: 3 workers, 16 methods, 0 files written in/,
    );
  } finally {
    cli.kill('SIGTERM');
  }
}, 180_000);

it('reports a config error of a later run on stderr and goes on watching', async () => {
  const dir = tempProject('typed');
  const config = path.join(dir, 'procxy.config.ts');
  const original = readFileSync(config, 'utf8');
  writeFileSync(path.join(dir, 'tsconfig.broken.json'), '{ "extends": "./nope.json" }\n');
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    // Found by the run (the type must be looked up), not by loading the config.
    writeFileSync(config, original.replace("serialization: 'json'", "transferTypes: ['ledger.ts#Nope']"));
    await until(
      () => out.stderr.includes(`procxy: error PRX9001: Invalid option "transferTypes[0]"`),
      'the transferTypes error',
    );
    // Found when the generator reads the tsconfig.
    writeFileSync(config, original.replace("serialization: 'json'", "tsconfig: 'tsconfig.broken.json'"));
    await until(
      () => out.stderr.includes('procxy: error PRX9001: Invalid option "tsconfig": cannot read'),
      'the tsconfig error',
    );
    expect(out.stderr).not.toMatch(/^\s+at /m);
    writeFileSync(config, original);
    await until(() => summaries() === 2, 'the run after the fix');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^procxy: 2 workers, 13 methods, 0 files written/,
    );
    expect(cli.exitCode).toBe(null);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

const worker = (name: string, methods: readonly string[]): string =>
  `export class ${name} {\n${methods.map((m) => `  ${m}(): number {\n    return 1;\n  }\n`).join('')}}\n`;

it('sees workers in new folders, under a glob base made later, and in a folder deleted and made again', async () => {
  const dir = tempProject('typed');
  writeFileSync(
    path.join(dir, 'procxy.config.ts'),
    "export default { workers: ['src/**/*.worker.ts', 'later/**/*.worker.ts'] };\n",
  );
  mkdirSync(path.join(dir, 'src/a'), { recursive: true });
  const first = path.join(dir, 'src/a/first.worker.ts');
  writeFileSync(first, worker('First', ['one']));
  const { cli, out, summaries } = startWatch(dir);
  const stubOf = (file: string): string => file.replace(/\.ts$/, '.procxy.ts');
  const stubHas = (file: string, text: string) => (): boolean =>
    existsSync(stubOf(file)) && readFileSync(stubOf(file), 'utf8').includes(text);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/1 worker, 1 method, 2 files written/);

    // A new worker two folders deep in a folder that did not exist.
    const neo = path.join(dir, 'src/b/c/neo.worker.ts');
    mkdirSync(path.dirname(neo), { recursive: true });
    writeFileSync(neo, worker('Neo', ['ping']));
    await until(stubHas(neo, 'ping(): Promise<number>;'), 'the stub of src/b/c/neo.worker.ts');

    // The base of a glob that did not exist when watching started.
    const late = path.join(dir, 'later/x/late.worker.ts');
    mkdirSync(path.dirname(late), { recursive: true });
    writeFileSync(late, worker('Late', ['tick']));
    await until(stubHas(late, 'tick(): Promise<number>;'), 'the stub of later/x/late.worker.ts');

    // A branch switch: the folder is deleted and made again with other contents.
    rmSync(path.join(dir, 'src'), { recursive: true });
    mkdirSync(path.join(dir, 'src/a'), { recursive: true });
    writeFileSync(first, worker('First', ['one', 'two']));
    await until(stubHas(first, 'two(): Promise<number>;'), 'the stub after the folder was made again');
    // And the new folder is watched: a later edit is seen too.
    writeFileSync(first, worker('First', ['one', 'two', 'three']));
    await until(stubHas(first, 'three(): Promise<number>;'), 'the stub after an edit in the new folder');
    expect(out.stderr).toBe('');
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('sees what the scan sees through links inside the root: a linked worker file, and a linked folder and new folders in it', async () => {
  const dir = tempProject('typed');
  writeFileSync(path.join(dir, 'procxy.config.ts'), "export default { workers: ['src/**/*.worker.ts'] };\n");
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  mkdirSync(path.join(dir, 'shared'));
  mkdirSync(path.join(dir, 'other'));
  const real = path.join(dir, 'shared/job.worker.ts');
  writeFileSync(real, worker('Job', ['one']));
  symlinkSync('../shared/job.worker.ts', path.join(dir, 'src/job.worker.ts'));
  // A linked folder with no worker yet, and a link cycle in it.
  symlinkSync('../other', path.join(dir, 'src/other'));
  symlinkSync('.', path.join(dir, 'other/loop'));
  const { cli, out, summaries } = startWatch(dir);
  const has = (file: string, text: string) => (): boolean =>
    existsSync(path.join(dir, file)) && readFileSync(path.join(dir, file), 'utf8').includes(text);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/1 worker, 1 method, 2 files written/);

    // An edit to the linked file is an edit to its target, in a folder no glob names.
    writeFileSync(real, worker('Job', ['one', 'two']));
    await until(has('src/job.worker.procxy.ts', 'two(): Promise<number>;'), 'the stub of the linked worker');

    // A worker in a new folder inside the linked folder, generated beside it by its linked name.
    const neo = path.join(dir, 'other/deep/neo.worker.ts');
    mkdirSync(path.dirname(neo));
    writeFileSync(neo, worker('Neo', ['ping']));
    await until(has('src/other/deep/neo.worker.procxy.ts', 'ping(): Promise<number>;'), 'the stub of neo');
    writeFileSync(neo, worker('Neo', ['ping', 'pong']));
    await until(
      has('src/other/deep/neo.worker.procxy.ts', 'pong(): Promise<number>;'),
      'the edited stub of neo',
    );

    // Its outputs are orphans once it goes.
    rmSync(neo);
    await until(() => !existsSync(path.join(dir, 'other/deep/neo.worker.procxy.ts')), 'the orphans to go');
    expect(existsSync(path.join(dir, 'other/deep/neo.worker.procxy.child.mjs'))).toBe(false);
    expect(out.stderr).toBe('');
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('reads no glob base that is a link out of the root, and reads the folder once it is one inside', async () => {
  const dir = tempProject('typed');
  writeFileSync(
    path.join(dir, 'procxy.config.ts'),
    "export default { workers: ['src/*.worker.ts', 'vendor/**/*.worker.ts'] };\n",
  );
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src/own.worker.ts'), worker('Own', ['one']));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'procxy-watch-outside-'));
  writeFileSync(path.join(outside, 'far.worker.ts'), worker('Far', ['far']));
  const vendor = path.join(dir, 'vendor');
  symlinkSync(outside, vendor);
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/1 worker, 1 method, 2 files written/);
    expect(readdirSync(outside)).toEqual(['far.worker.ts']);

    // The link made a folder of the project: the folder above the base says so.
    rmSync(vendor);
    mkdirSync(vendor);
    writeFileSync(path.join(vendor, 'near.worker.ts'), worker('Near', ['near']));
    await until(
      () => existsSync(path.join(vendor, 'near.worker.procxy.ts')),
      'the stub of vendor/near.worker.ts',
    );
    expect(readdirSync(outside)).toEqual(['far.worker.ts']);
    expect(out.stderr).toBe('');
  } finally {
    cli.kill('SIGTERM');
    rmSync(outside, { recursive: true, force: true });
  }
}, 120_000);

it('makes a new generator when the tsconfig or a tsconfig it extends changes', async () => {
  const dir = tempProject('typed');
  writeFileSync(
    path.join(dir, 'procxy.config.ts'),
    "export default { workers: ['src/*.worker.ts'], tsconfig: 'tsconfig.app.json' };\n",
  );
  writeFileSync(path.join(dir, 'tsconfig.app.json'), '{ "extends": "./tsconfig.base.json" }\n');
  const base = path.join(dir, 'tsconfig.base.json');
  const loose = '{ "compilerOptions": { "strict": false, "types": ["node"] } }\n';
  writeFileSync(base, loose);
  mkdirSync(path.join(dir, 'src'));
  // Without strictNullChecks the undefined is gone from the type; with it, json mode rejects it inside an array.
  writeFileSync(
    path.join(dir, 'src/list.worker.ts'),
    'export class List {\n  items(): (string | undefined)[] {\n    return [];\n  }\n}\n',
  );
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/^procxy: 1 worker, 1 method, 2 files written/m);
    writeFileSync(base, loose.replace('false', 'true'));
    await until(() => summaries() === 2, 'the run after the base tsconfig changed');
    expect(out.stdout).toMatch(/error PRX\d{4}: .*undefined/);
    writeFileSync(base, loose);
    await until(() => summaries() === 3, 'the run after it was changed back');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 1 method, 0 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('says once, naming a folder and the inotify limit, when folders cannot be watched for want of watches', async () => {
  const dir = tempProject('analysis');
  const src = path.join(dir, 'src');
  // Raising ENOSPC for real needs root (a lowered fs.inotify.max_user_watches), so the watch of every folder
  // under src/ fails as fs.watch does then; the project root is watched for real.
  const refused: string[] = [];
  const watchFolder: WatchFolder = (folder, listener) => {
    if (folder === src || folder.startsWith(`${src}${path.sep}`)) {
      refused.push(folder);
      throw Object.assign(
        new Error(`ENOSPC: System limit for number of file watchers reached, watch '${folder}'`),
        {
          code: 'ENOSPC',
        },
      );
    }
    return fsWatch(folder, listener);
  };
  const errors: Error[] = [];
  let results = 0;
  const watching = watch({
    config: await loadConfig(path.join(dir, 'procxy.config.ts')),
    onResult: () => results++,
    onError: (error) => errors.push(error),
    watchFolder,
  });
  try {
    await watching.ready;
    // The run itself goes on; src/ and src/lib/ were both refused, and one line says so.
    expect(results).toBe(1);
    expect(new Set(refused)).toEqual(new Set([src, path.join(src, 'lib')]));
    expect(errors.map((e) => e.message)).toEqual([watchLimitMessage(src)]);
    expect(errors[0]!.message).toMatch(/fs\.inotify\.max_user_watches/);

    // A folder made in the root re-syncs the watchers, which tries src/ again: still no second line.
    const tries = refused.length;
    mkdirSync(path.join(dir, 'more'));
    await until(() => refused.length > tries, 'the watchers to be synced again');
    expect(errors).toHaveLength(1);
  } finally {
    watching.close();
  }
}, 60_000);

it('after a failed run, runs again with a new generator when a file it could not find appears', async () => {
  const dir = tempProject('esbuild');
  const types = path.join(dir, 'src/types.ts');
  const original = readFileSync(types, 'utf8');
  rmSync(types);
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/error PRX1024: /);
    writeFileSync(types, original);
    await until(() => summaries() === 2, 'the run after the missing file appeared');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 2 methods, 2 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('after a failed run, runs again when a missing import appears in a folder no worker or dependency is in', async () => {
  const dir = scratchProject({
    'src/k.worker.ts':
      "import type { T } from '../shared/types.js';\nexport class K {\n  m(t: T): number {\n    return t.a;\n  }\n}\n",
    'shared/existing.ts': 'export const y = 1;\n',
  });
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/error PRX1024: /);
    writeFileSync(path.join(dir, 'shared/types.ts'), 'export interface T {\n  a: number;\n}\n');
    await until(() => summaries() === 2, 'the run after the missing file appeared');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 1 method, 2 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('reloads the config when a file it imports changes', async () => {
  const dir = tempProject('esbuild');
  writeFileSync(path.join(dir, 'procxy.mode.ts'), "export const mode = 'json' as const;\n");
  writeFileSync(
    path.join(dir, 'procxy.config.ts'),
    "import { mode } from './procxy.mode.js';\nexport default { workers: ['src/*.worker.ts'], serialization: mode };\n",
  );
  const worker = path.join(dir, 'src/greeter.worker.ts');
  writeFileSync(
    worker,
    readFileSync(worker, 'utf8').replace('greet(name: string)', 'greet(name: string, when?: Date)'),
  );
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/error PRX1003: /);
    writeFileSync(path.join(dir, 'procxy.mode.ts'), "export const mode = 'advanced' as const;\n");
    await until(() => summaries() === 2, 'the run after the imported file changed');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 2 methods, 2 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('while the config fails to load, reports its error again instead of running with the old one, and runs once a fix to a file it imports makes it load', async () => {
  const dir = tempProject('esbuild');
  const config = path.join(dir, 'procxy.config.ts');
  const mode = path.join(dir, 'procxy.mode.ts');
  const worker = path.join(dir, 'src/greeter.worker.ts');
  const stub = path.join(dir, 'src/greeter.worker.procxy.ts');
  const { cli, out, summaries } = startWatch(dir);
  const configErrors = (): number => out.stderr.match(/^procxy: error PRX9001: /gm)?.length ?? 0;
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(readFileSync(stub, 'utf8')).toMatch(/serialization: 'json'/);
    // The config imports a file that does not exist yet.
    writeFileSync(
      config,
      "import { mode } from './procxy.mode.js';\nexport default { workers: ['src/*.worker.ts'], serialization: mode };\n",
    );
    await until(() => configErrors() === 1, 'the config error');
    expect(out.stderr).toMatch(/Could not resolve "\.\/procxy\.mode\.js"/);
    // An edit to the worker is no run with the config loaded before, which the user has changed since.
    writeFileSync(worker, `${readFileSync(worker, 'utf8')}\n// edited\n`);
    await until(() => configErrors() === 2, 'the config error again');
    // The missing file appears, with a syntax error: the error is now there.
    writeFileSync(mode, "export const mode = 'advanced' as ;\n");
    await until(() => configErrors() === 3, 'the error in the imported file');
    expect(out.stderr).toMatch(/procxy\.mode\.ts:1:\d+: ERROR/);
    // Fixing it loads the config, and the run uses it.
    writeFileSync(mode, "export const mode = 'advanced' as const;\n");
    await until(() => summaries() === 2, 'the run after the fix');
    expect(readFileSync(stub, 'utf8')).toMatch(/serialization: 'advanced'/);
    expect(configErrors()).toBe(3);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('after a failed run, runs again when a missing import appears together with its folder, as git checkout makes them', async () => {
  const dir = scratchProject({
    'src/k.worker.ts':
      "import type { T } from '../shared/deep/types.js';\nexport class K {\n  m(t: T): number {\n    return t.a;\n  }\n}\n",
  });
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/error PRX1024: /);
    // Both made before any event is handled: the file is there before its folder is watched.
    mkdirSync(path.join(dir, 'shared/deep'), { recursive: true });
    writeFileSync(path.join(dir, 'shared/deep/types.ts'), 'export interface T {\n  a: number;\n}\n');
    await until(() => summaries() === 2, 'the run after the folder and the file appeared');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 1 method, 2 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('while the config fails to load on a missing import, loads it when the import appears together with its folder', async () => {
  const dir = scratchProject({ 'src/k.worker.ts': worker('K', ['one']) });
  const stub = path.join(dir, 'src/k.worker.procxy.ts');
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    writeFileSync(
      path.join(dir, 'procxy.config.ts'),
      "import { mode } from './cfg/mode.js';\nexport default { workers: ['src/*.worker.ts'], serialization: mode };\n",
    );
    await until(() => out.stderr.includes('Could not resolve "./cfg/mode.js"'), 'the config error');
    mkdirSync(path.join(dir, 'cfg'));
    writeFileSync(path.join(dir, 'cfg/mode.ts'), "export const mode = 'advanced' as const;\n");
    await until(() => summaries() === 2, 'the run after the folder and the file appeared');
    expect(readFileSync(stub, 'utf8')).toMatch(/serialization: 'advanced'/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('runs again when a folder holding a dependency is renamed away, and again when it comes back', async () => {
  const dir = scratchProject({
    'src/k.worker.ts':
      "import type { T } from './lib/deep/types.js';\nexport class K {\n  m(t: T): number {\n    return t.a;\n  }\n}\n",
    'src/lib/deep/types.ts': 'export interface T {\n  a: number;\n}\n',
  });
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/1 worker, 1 method, 2 files written/);
    // No event names the file: only the folder's watcher (and that of the folder below it) goes away.
    renameSync(path.join(dir, 'src/lib'), path.join(dir, 'src/shared'));
    await until(() => summaries() === 2, 'the run after the folder was renamed');
    expect(out.stdout).toMatch(/src\/k\.worker\.ts:\d+:\d+ - error PRX1024: parameter 't' of 'K\.m'/);
    renameSync(path.join(dir, 'src/shared'), path.join(dir, 'src/lib'));
    await until(() => summaries() === 3, 'the run after the folder came back');
    expect(out.stdout.trimEnd().split('\n').at(-1)).toMatch(/^procxy: 1 worker, 1 method, 0 files written/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('runs again when a folder above the one holding a dependency is renamed, outside every folder the globs read', async () => {
  const dir = scratchProject({
    'src/g.worker.ts':
      "import type { P } from '../packages/shared/src/types.js';\nexport class G {\n  m(p: P): number {\n    return p.x;\n  }\n}\n",
    'packages/shared/src/types.ts': 'export interface P {\n  x: number;\n}\n',
  });
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    renameSync(path.join(dir, 'packages/shared'), path.join(dir, 'packages/common'));
    await until(() => summaries() === 2, 'the run after the folder above was renamed');
    expect(out.stdout).toMatch(/src\/g\.worker\.ts:\d+:\d+ - error PRX1024: parameter 'p' of 'G\.m'/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('runs again when a folder above a dependency outside the config root is renamed (a package beside the app)', async () => {
  const dir = scratchProject({
    'app/src/g.worker.ts':
      "import type { P } from '../../shared/src/d1/types.js';\nexport class G {\n  m(p: P): number {\n    return p.x;\n  }\n}\n",
    'shared/src/d1/types.ts': 'export interface P {\n  x: number;\n}\n',
  });
  // The app is a package of its own: nothing the generator reads is in the folder both packages are in.
  for (const file of ['procxy.config.ts', 'tsconfig.json', 'package.json']) {
    copyFileSync(path.join(dir, file), path.join(dir, 'app', file));
  }
  const { cli, out, summaries } = startWatch(path.join(dir, 'app'));
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(out.stdout).toMatch(/1 worker, 1 method, 2 files written/);
    renameSync(path.join(dir, 'shared'), path.join(dir, 'common'));
    await until(() => summaries() === 2, 'the run after the package beside the app was renamed');
    expect(out.stdout).toMatch(/src\/g\.worker\.ts:\d+:\d+ - error PRX1024: parameter 'p' of 'G\.m'/);
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);

it('rewrites the stubs for CommonJS or ESM when the type in package.json changes, or a nearer one appears', async () => {
  const dir = scratchProject({ 'src/k.worker.ts': worker('K', ['one']) });
  const stub = path.join(dir, 'src/k.worker.procxy.ts');
  const { cli, out, summaries } = startWatch(dir);
  try {
    await until(() => summaries() === 1, 'the first run');
    expect(readFileSync(stub, 'utf8')).toMatch(/import\.meta\.url/);
    // The tsconfig is nodenext: without "type": "module" the stub compiles to CommonJS, where import.meta is an error.
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
    await until(() => readFileSync(stub, 'utf8').includes('__dirname'), 'the stub written for CommonJS');
    expect(readFileSync(stub, 'utf8')).not.toMatch(/import\.meta\.url/);
    writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
    await until(
      () => readFileSync(stub, 'utf8').includes('import.meta.url'),
      'the stub written for ESM again',
    );
    // A nearer package.json, which TypeScript looked for before it existed, decides once it appears.
    writeFileSync(path.join(dir, 'src/package.json'), '{ "type": "commonjs" }\n');
    await until(
      () => readFileSync(stub, 'utf8').includes('__dirname'),
      'the stub written for CommonJS again',
    );
    expect(out.stderr).toBe('');
  } finally {
    cli.kill('SIGTERM');
  }
}, 120_000);
