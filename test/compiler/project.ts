// Test helpers: temporary copies of generator fixtures that resolve `procxy` to this repository, and the real CLI.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const cliPath = path.join(repoRoot, 'dist/compiler/cli.js');

const made: string[] = [];

/**
 * Copies fixtures/<name> to a fresh ESM package under os.tmpdir(), without its generated files unless asked, with
 * node_modules/procxy, @types and type-fest linked to this repository's.
 */
export function tempProject(name: string, options: { keepGenerated?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `procxy-gen-${name}-`));
  made.push(dir);
  cpSync(path.join(fixturesDir, name), dir, {
    recursive: true,
    filter: (source) => options.keepGenerated === true || !/\.procxy\.(ts|child\.mjs)$/.test(source),
  });
  // Inside the repository the fixtures are ESM through its package.json; a copy needs its own.
  writeFileSync(path.join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(repoRoot, path.join(dir, 'node_modules/procxy'), 'dir');
  for (const name of ['@types', 'type-fest']) {
    symlinkSync(path.join(repoRoot, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir');
  }
  return dir;
}

/** A copy of fixtures/scratch (strict tsconfig, every `*.worker.{ts,mts,cts}` under src a worker) holding `files`. */
export function scratchProject(files: Readonly<Record<string, string>>): string {
  const dir = tempProject('scratch');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/** Adds compiler options (JSON members, without braces) to a temporary project's tsconfig, after its `"strict": true`. */
export function addCompilerOptions(dir: string, options: string): void {
  const tsconfig = path.join(dir, 'tsconfig.json');
  const text = readFileSync(tsconfig, 'utf8');
  if (!text.includes('"strict": true'))
    throw new Error(`${tsconfig} has no "strict": true to add options after`);
  writeFileSync(tsconfig, text.replace('"strict": true', `"strict": true,\n    ${options}`));
}

/** A file of a temporary project as text. */
export function readProjectFile(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}

/** Type-checks a project (generated stubs included) with its tsconfig: tsc's output, empty when it passes. */
export function typeCheck(dir: string): string {
  const tsc = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return `${tsc.stdout}${tsc.stderr}${tsc.status === 0 ? '' : `exit ${tsc.status}`}`;
}

export function removeTempProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** How runCli and runCliAsync start the CLI: in `cwd`, without colours, killed after a minute. */
function cliRunOptions(cwd: string) {
  return { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } };
}

/** Runs `node dist/compiler/cli.js ...args` in `cwd` to completion. */
export function runCli(args: readonly string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [cliPath, ...args], { ...cliRunOptions(cwd), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runCli without blocking this process, so that tests of one file can run the CLI side by side. */
export function runCliAsync(args: readonly string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      ...cliRunOptions(cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts the CLI without waiting (for --watch); the caller kills it. */
export function startCli(args: readonly string[], cwd: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
