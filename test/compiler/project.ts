// Test helpers: temporary copies of generator fixtures that resolve `procxy` to this repository, and the real CLI.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

export function removeTempProjects(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/compiler/cli.js ...args` in `cwd` to completion. */
export function runCli(args: readonly string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI without waiting (for --watch); the caller kills it. */
export function startCli(args: readonly string[], cwd: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [cliPath, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
