#!/usr/bin/env node
// The `procxy` command: `procxy generate [--config <path>] [--check] [--watch]`; exit 0 ok, 1 diagnostics/out of date, 2 usage/config.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cac } from 'cac';
import { ConfigError } from './config.js';
import type { GenerateResult } from './generate.js';
import { loadConfig, type ResolvedConfig } from './load-config.js';

/** The flags as cac hands them over: a flag given twice is an array, `--config` without a value is `true`. */
interface RawFlags {
  readonly config?: unknown;
  readonly check?: unknown;
  readonly watch?: unknown;
}

interface GenerateFlags {
  readonly config: string | undefined;
  readonly check: boolean;
  readonly watch: boolean;
}

const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

function fail(message: string): never {
  process.stderr.write(`procxy: ${message}\n`);
  process.exit(2);
}

/**
 * A config problem is a usage error: one line and exit 2, whether found loading the config or in the first run. So is
 * a file that cannot be read or written (EACCES, EROFS, EISDIR...): Node's message names the file, a stack trace would
 * only hide it, and exit 1 would read as diagnostics.
 */
function failOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) fail(configMessage(error));
  if (isSystemError(error)) fail(`error: ${error.message}`);
  throw error;
}

function isSystemError(error: unknown): error is Error {
  return error instanceof Error && typeof (error as { syscall?: unknown }).syscall === 'string';
}

function configMessage(error: ConfigError): string {
  return `error ${error.code}: ${error.message}`;
}

/** A switch given twice (`--check --check`) means it once; given with two values it is a usage error. */
function booleanFlag(name: string, value: unknown): boolean {
  const values = Array.isArray(value) ? value : [value];
  if (values.every((v) => v === undefined || v === false)) return false;
  if (values.every((v) => v === true)) return true;
  fail(`--${name} takes no value and cannot be both given and negated`);
}

function flagsOf(raw: RawFlags): GenerateFlags {
  if (Array.isArray(raw.config)) fail('--config can be given only once');
  if (raw.config !== undefined && typeof raw.config !== 'string') fail('--config needs a path');
  return {
    config: raw.config,
    check: booleanFlag('check', raw.check),
    watch: booleanFlag('watch', raw.watch),
  };
}

async function load(flags: GenerateFlags): Promise<ResolvedConfig> {
  try {
    return await loadConfig(path.resolve(flags.config ?? 'procxy.config.ts'));
  } catch (error) {
    failOnConfigError(error);
  }
}

async function generateCommand(raw: RawFlags): Promise<void> {
  const flags = flagsOf(raw);
  if (flags.check && flags.watch) fail('--check and --watch cannot be combined');
  const config = await load(flags);
  const cwd = process.cwd();
  // The TypeScript compiler is loaded only now: usage and config errors answer at once.
  const [{ Generator }, { report }, { watch }] = await Promise.all([
    import('./generate.js'),
    import('./report.js'),
    import('./watch.js'),
  ]);
  if (flags.watch) {
    const watching = watch({
      config,
      onResult: (result) => process.stdout.write(report(result, { cwd, color, check: false })),
      onError: (error) =>
        process.stderr.write(
          `procxy: ${error instanceof ConfigError ? configMessage(error) : error.message}\n`,
        ),
    });
    const stop = (): void => {
      watching.close();
      process.exit(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      await watching.ready;
    } catch (error) {
      // The first run is the one-shot run: its config errors end the command as they would without --watch.
      watching.close();
      failOnConfigError(error);
    }
    return;
  }
  let result: GenerateResult;
  try {
    result = await new Generator(config).run({ check: flags.check });
  } catch (error) {
    // transferTypes names a type the program must resolve (and the tsconfig is read), so those are checked only here.
    failOnConfigError(error);
  }
  process.stdout.write(report(result, { cwd, color, check: flags.check }));
  process.exitCode = result.ok ? 0 : 1;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const cli = cac('procxy');
cli
  .command('generate', 'Check worker classes and write their typed stubs and child entries')
  .option('--config <path>', 'Config file (default: procxy.config.ts in the current folder)')
  .option('--check', 'Write nothing; exit 1 when a generated file is missing, stale or orphaned')
  .option('--watch', 'Regenerate when a worker or a file its types come from changes')
  .action((flags: RawFlags) => generateCommand(flags));
cli.help();

try {
  cli.version(version());
  cli.parse(process.argv, { run: false });
  if (cli.options.help === true || cli.options.version === true) process.exit(0);
  if (cli.matchedCommand === undefined) {
    cli.outputHelp();
    fail(cli.args.length > 0 ? `unknown command '${cli.args[0]}'` : 'missing command (try: procxy generate)');
  }
  await cli.runMatchedCommand();
} catch (error) {
  if (error instanceof Error && error.name === 'CACError') fail(error.message);
  throw error;
}
