// procxy/config: defineConfig's validation, and loading a config file (errors name the key or the file).
import { mkdirSync, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, validateConfig } from '../../compiler/config.js';
import { loadConfig } from '../../compiler/load-config.js';
import { removeTempProjects, tempProject } from './project.js';

describe('defineConfig', () => {
  it('returns a valid config unchanged', () => {
    const config = { workers: ['src/**/*.worker.ts', '!src/legacy/**'], serialization: 'advanced' } as const;
    expect(defineConfig(config)).toBe(config);
  });

  it.each([
    [{ workers: ['a.ts'], worker: ['b.ts'] }, 'Invalid option "worker": unknown option'],
    [{}, /^Invalid option "workers": expected a non-empty array of glob strings, got undefined$/],
    [
      { workers: ['src/*.ts', '/abs/src/*.ts'] },
      `Invalid option "workers[1]": expected a glob relative to the config's folder, got "/abs/src/*.ts"`,
    ],
    [{ workers: ['a.ts', '!C:\\x\\*.ts'] }, 'Invalid option "workers[1]": expected a glob relative'],
    [
      { workers: 'src/*.ts' },
      'Invalid option "workers": expected a non-empty array of glob strings, got "src/*.ts"',
    ],
    [{ workers: [] }, 'Invalid option "workers": expected a non-empty array of glob strings, got an array'],
    [{ workers: ['a.ts', 3] }, 'Invalid option "workers[1]": expected a non-empty glob string, got number 3'],
    [{ workers: ['!a.ts'] }, 'Invalid option "workers": expected at least one glob that is not a negation'],
    [
      { workers: ['a.ts'], serialization: 'v8' },
      `Invalid option "serialization": expected 'json' or 'advanced', got "v8"`,
    ],
    [{ workers: ['a.ts'], outDir: '' }, 'Invalid option "outDir": expected a non-empty path string'],
    [{ workers: ['a.ts'], tsconfig: 1 }, 'Invalid option "tsconfig": expected a non-empty path string'],
    [
      { workers: ['a.ts'], transferTypes: 'p.ts#P' },
      `Invalid option "transferTypes": expected an array of '<module>#<exported type>' strings, got "p.ts#P"`,
    ],
    [
      { workers: ['a.ts'], transferTypes: ['p.ts#P', 'p.ts'] },
      `Invalid option "transferTypes[1]": expected '<module path relative to the config>#<exported type name>'`,
    ],
    [{ workers: ['a.ts'], transferTypes: ['p.ts#'] }, 'Invalid option "transferTypes[0]"'],
  ])('rejects %j', (config, message) => {
    expect(() => validateConfig(config)).toThrow(message);
    try {
      validateConfig(config);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('PRX9001');
    }
  });

  it('rejects what is not an object', () => {
    expect(() => validateConfig(['a.ts'])).toThrow('Invalid config: expected an object');
  });

  it('rejects a Promise of a config, saying so, and a config whose keys cannot be read', () => {
    const promised = Promise.resolve({ workers: ['a.ts'] });
    expect(() => validateConfig(promised)).toThrow(ConfigError);
    expect(() => validateConfig(promised)).toThrow('Invalid config: expected an object, got a Promise');
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys here');
        },
      },
    );
    expect(() => validateConfig(hostile)).toThrow(ConfigError);
    expect(() => validateConfig(hostile)).toThrow('Invalid config: reading its options threw: no keys here');
  });
});

/** Polls until `condition` holds, for at most 10 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('loadConfig', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'procxy-config-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    removeTempProjects();
  });

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('bundles a TypeScript config with relative imports and resolves its paths against its folder', async () => {
    write('globs.ts', "export const globs: string[] = ['src/*.ts'];\n");
    write('tsconfig.base.json', '{ "compilerOptions": { "strict": true } }\n');
    const file = write(
      'good.config.ts',
      "import { globs } from './globs.js';\nexport default { workers: globs, outDir: 'gen', tsconfig: 'tsconfig.base.json' };\n",
    );
    expect(await loadConfig(file)).toEqual({
      file,
      root: dir,
      workers: ['src/*.ts'],
      serialization: 'json',
      outDir: path.join(dir, 'gen'),
      tsconfig: path.join(dir, 'tsconfig.base.json'),
      transferTypes: [],
      // What it imports is what --watch and the plugin watch besides it.
      imports: [path.join(dir, 'globs.ts')],
    });
  });

  it('resolves transferTypes against the config folder; a module that does not exist names the entry', async () => {
    write('point.ts', 'export class Point { x = 0; }\n');
    const good = write(
      'transfer.config.ts',
      "export default { workers: ['*.ts'], transferTypes: ['point.ts#Point'] };\n",
    );
    expect((await loadConfig(good)).transferTypes).toEqual([
      { entry: 'point.ts#Point', key: 'transferTypes[0]', file: path.join(dir, 'point.ts'), name: 'Point' },
    ]);
    const bad = write(
      'notype.config.ts',
      "export default { workers: ['*.ts'], transferTypes: ['nope.ts#Point'] };\n",
    );
    const error = await loadConfig(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('transferTypes[0]');
    expect((error as ConfigError).message).toBe(
      `Invalid option "transferTypes[0]": nope.ts does not exist (in 'nope.ts#Point')`,
    );
  });

  it('rejects a tsconfig that does not exist, naming the option', async () => {
    const file = write(
      'tsconfig.config.ts',
      "export default { workers: ['*.ts'], tsconfig: 'nope.json' };\n",
    );
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('Invalid option "tsconfig": nope.json does not exist');
  });

  it('reports a config that defineConfig (imported from procxy/config) rejects, naming the key', async () => {
    const file = path.join(tempProject('typed'), 'bad.config.ts');
    writeFileSync(
      file,
      "import { defineConfig } from 'procxy/config';\nexport default defineConfig({ workers: ['x'], mode: 'json' } as never);\n",
    );
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('Invalid option "mode": unknown option');
    expect((error as ConfigError).key).toBe('mode');
  });

  it('writes nothing beside the config, and resolves its packages from the config folder', async () => {
    const project = tempProject('typed');
    const file = path.join(project, 'procxy.config.ts');
    const events: string[] = [];
    const watcher = watch(project, (_event, name) => events.push(String(name)));
    try {
      const config = await loadConfig(file);
      expect(config.workers).toEqual(['*.worker.ts']);
      // inotify keeps order: once the sentinel is seen, anything written while loading was seen before it.
      writeFileSync(path.join(project, 'sentinel'), '');
      await until(() => events.includes('sentinel'));
      expect(events.filter((name) => name !== 'sentinel')).toEqual([]);
    } finally {
      watcher.close();
    }
  });

  it('gives CommonJS configs require, __dirname and __filename (named after the config file)', async () => {
    const project = tempProject('typed');
    const cjs = path.join(project, 'procxy.config.cjs');
    writeFileSync(
      cjs,
      "const { defineConfig } = require('procxy/config');\nconst path = require('node:path');\nmodule.exports = defineConfig({ workers: [path.basename(__dirname) + '/' + path.basename(__filename)] });\n",
    );
    expect((await loadConfig(cjs)).workers).toEqual([`${path.basename(project)}/procxy.config.cjs`]);
    const ts = path.join(project, 'dirname.config.ts');
    writeFileSync(
      ts,
      "import path from 'node:path';\nexport default { workers: [path.basename(__dirname), path.basename(import.meta.dirname), path.basename(new URL(import.meta.url).pathname)] };\n",
    );
    expect((await loadConfig(ts)).workers).toEqual([
      path.basename(project),
      path.basename(project),
      'dirname.config.ts',
    ]);
  });

  it('gives configs import.meta.resolve from the config file, and names the config (not its bundle) in errors', async () => {
    const project = tempProject('typed');
    mkdirSync(path.join(project, 'cfg'));
    writeFileSync(path.join(project, 'cfg/extra.mjs'), "export const workers = ['from-extra'];\n");
    const file = path.join(project, 'resolve.config.ts');
    writeFileSync(
      file,
      [
        "const extra = await import(import.meta.resolve('./cfg/extra.mjs'));",
        "const pkg = import.meta.resolve('procxy/config');",
        "export default { workers: [...extra.workers, pkg.startsWith('file://') ? 'pkg' : pkg, import.meta.resolve('fs')] };",
        '',
      ].join('\n'),
    );
    expect((await loadConfig(file)).workers).toEqual(['from-extra', 'pkg', 'node:fs']);

    // A dynamic import the loader cannot resolve: the message names the config file, not a data: URL of its bundle.
    const failing = path.join(project, 'dynamic.config.ts');
    writeFileSync(
      failing,
      "const name = 'no-such-package';\nawait import(name);\nexport default { workers: [] };\n",
    );
    const error = await loadConfig(failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`Cannot load config ${failing}: `);
    expect((error as Error).message).not.toContain('data:');
    expect((error as Error).message.length).toBeLessThan(500);
  });

  it.each([
    ['missing.config.ts', undefined, 'Config file not found'],
    ['nodefault.config.ts', 'export const workers = [];\n', 'has no default export'],
    ['syntax.config.ts', 'export default { workers: [ };\n', 'Cannot compile config'],
    ['throws.config.ts', "throw new Error('boom');\n", 'Cannot load config'],
    // Not an Error: the thrown value is the message.
    ['string.config.ts', "throw 'boom';\n", `Cannot load config ${path.join(dir, 'string.config.ts')}: boom`],
    ['null.config.ts', 'throw null;\n', `Cannot load config ${path.join(dir, 'null.config.ts')}: null`],
  ])('%s fails with a ConfigError', async (name, text, message) => {
    const file = text === undefined ? path.join(dir, name) : write(name, text);
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
  });
});
