// The packed tarball in a stranger's project: install, `npx procxy generate`, strict tsc, and a real call, outside the repo.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const installTimeoutMs = 120_000;
const stepTimeoutMs = 60_000;

// npm run from `npm test` exports this repository's package fields, lifecycle and local prefix as npm_* variables;
// the stranger's npm must see only its own project. The user's npm_config_* (cache, registry, proxy, CA) stay.
const strangerEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !/^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|npm_command$|init_cwd$)/i.test(key),
  ),
);

interface Ran {
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, timeout = stepTimeoutMs): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: strangerEnv, timeout, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr });
        const why = error.killed ? `killed after ${timeout} ms` : `exit code ${String(error.code)}`;
        reject(
          new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${why})\n${stdout}\n${stderr}`, {
            cause: error,
          }),
        );
      },
    );
  });
}

let scratch: string;
let project: string;
let tarball: string;

beforeAll(
  async () => {
    if (!existsSync(path.join(repoRoot, 'dist/compiler/cli.js')))
      throw new Error(
        'dist/ is missing: run `npm run build` (npm test builds before vitest) so that npm pack has it',
      );
    scratch = mkdtempSync(path.join(tmpdir(), 'procxy-stranger-'));
    const packed = await run('npm', ['pack', '--pack-destination', scratch, '--json', '--silent'], repoRoot);
    const [entry] = JSON.parse(packed.stdout) as readonly { readonly filename: string }[];
    if (entry === undefined) throw new Error(`npm pack reported no tarball:\n${packed.stdout}`);
    tarball = path.join(scratch, entry.filename);
    project = path.join(scratch, 'app');
    mkdirSync(path.join(project, 'src'), { recursive: true });
    writeFileSync(
      path.join(project, 'package.json'),
      `${JSON.stringify({ name: 'stranger-app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
    );
    try {
      await run(
        'npm',
        ['install', tarball, 'typescript@~6.0.3', '@types/node@~20.19.8', '--no-audit', '--no-fund'],
        project,
        installTimeoutMs,
      );
    } catch (error) {
      throw new Error(
        'Installing the packed procxy with typescript and @types/node from the npm registry failed; this test needs the registry (is it reachable from here?)',
        { cause: error },
      );
    }
    writeFileSync(
      path.join(project, 'src/calc.worker.ts'),
      'export class Calc {\n  add(a: number, b: number): number {\n    return a + b;\n  }\n}\n',
    );
    writeFileSync(
      path.join(project, 'procxy.config.ts'),
      "import { defineConfig } from 'procxy/config';\nexport default defineConfig({ workers: ['src/**/*.worker.ts'], serialization: 'json' });\n",
    );
    // No outDir: main.js and the stub's .js land beside their sources, so the stub finds its .mjs child at run time.
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      `${JSON.stringify(
        {
          compilerOptions: {
            strict: true,
            target: 'es2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            types: ['node'],
          },
          include: ['main.ts', 'src/**/*.ts'],
        },
        null,
        2,
      )}\n`,
    );
    writeFileSync(
      path.join(project, 'main.ts'),
      [
        "import { spawnCalc } from './src/calc.worker.procxy.js';",
        '',
        'const calc = await spawnCalc();',
        'try {',
        '  const sum: number = await calc.add(1, 2);',
        '  console.log(sum);',
        '} finally {',
        '  await calc.$terminate();',
        '}',
        '',
      ].join('\n'),
    );
  },
  installTimeoutMs + 2 * stepTimeoutMs,
);

afterAll(() => {
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
});

describe("procxy installed from its tarball in a stranger's project", () => {
  it('installs as a package of its own, not a link back into this repository', () => {
    const installed = path.join(project, 'node_modules/procxy');
    expect(JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')).name).toBe('procxy');
    expect(path.relative(repoRoot, installed).startsWith('..')).toBe(true);
    expect(existsSync(path.join(installed, 'dist/compiler/cli.js'))).toBe(true);
  });

  it(
    'generates with `npx procxy generate`, type-checks with strict tsc, and calls the worker in a child',
    async () => {
      // --no: never fetch a same-named package from the registry; only the installed bin counts.
      await run('npx', ['--no', 'procxy', 'generate'], project);
      expect(existsSync(path.join(project, 'src/calc.worker.procxy.ts'))).toBe(true);
      expect(existsSync(path.join(project, 'src/calc.worker.procxy.child.mjs'))).toBe(true);

      await run('npx', ['--no', 'tsc', '--noEmit'], project);
      await run('npx', ['--no', 'tsc'], project);
      expect(existsSync(path.join(project, 'src/calc.worker.procxy.js'))).toBe(true);

      const ran = await run(process.execPath, ['main.js'], project);
      expect(ran.stdout.trim()).toBe('3');
    },
    4 * stepTimeoutMs,
  );
});
