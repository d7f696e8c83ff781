// Every error that rejects a call is a ProcxyError with its code, the method, the child's pid and its cause (spec 4.2).
import { existsSync } from 'node:fs';
import net from 'node:net';
import {
  AbortError,
  ChildCrashedError,
  MessageTooLargeError,
  MethodNotFoundError,
  ProcxyError,
  type ProcxyErrorCode,
  type ProcxyOptions,
  ProtocolError,
  type ProxyControls,
  procxy,
  QueueFullError,
  registerTransferHandler,
  SerializationError,
  TerminatedError,
  TimeoutError,
} from 'procxy';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Worker } from '../fixtures/workers.mjs';
import { guardLeaks, liveChildren, rejection, scratch, sleep, waitFor, workersModule } from './helpers.js';

guardLeaks();

const files = scratch();
afterAll(() => {
  files.cleanup();
});

/** The fixture's methods, callable with any arguments: what the runtime does with odd ones is what is tested. */
type Call = (...args: unknown[]) => Promise<unknown>;
type Loose = { readonly [K in keyof Worker]: Call } & ProxyControls<Loose>;

const started: Loose[] = [];
afterEach(async () => {
  for (const worker of started.splice(0)) {
    await worker.$terminate();
  }
});

async function start(options: ProcxyOptions = {}): Promise<Loose> {
  const worker = (await procxy(Worker, workersModule, options)) as unknown as Loose;
  started.push(worker);
  return worker;
}

const mib = 1024 * 1024;

/** What a case observed, and what the contract asks of it. */
interface Outcome {
  readonly error: unknown;
  readonly type: abstract new (...args: never[]) => ProcxyError;
  readonly code: ProcxyErrorCode;
  readonly method: string;
  /** The pid the error must name (a value or an asymmetric matcher). */
  readonly pid: unknown;
  /** The cause the error must carry, when there is one: an Error is compared as `Class: message`, see described(). */
  readonly cause?: unknown;
  /** Fields of its class (exitCode, path, ...) the error must have. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

interface Case {
  readonly name: string;
  run(): Promise<Outcome>;
}

/** An Error as `Class: message`, anything else as it is: enough to compare causes across the boundary. */
function described(value: unknown): unknown {
  return value instanceof Error ? `${value.constructor.name}: ${value.message}` : value;
}

function observed(outcome: Outcome): Record<string, unknown> {
  const { error } = outcome;
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  return {
    procxyError: error instanceof ProcxyError,
    class: (error as { constructor?: { name?: string } } | null | undefined)?.constructor?.name,
    code: e.code,
    method: e.method,
    pid: e.pid,
    ...('cause' in outcome ? { cause: described(e.cause) } : {}),
    ...Object.fromEntries(Object.keys(outcome.fields ?? {}).map((key) => [key, e[key]])),
  };
}

function expected(outcome: Outcome): Record<string, unknown> {
  return {
    procxyError: true,
    class: outcome.type.name,
    code: outcome.code,
    method: outcome.method,
    pid: outcome.pid,
    ...('cause' in outcome ? { cause: described(outcome.cause) } : {}),
    ...outcome.fields,
  };
}

/** The outcome of a call to `method` of `worker` that must reject with a `type` error of `code`. */
async function outcomeOf(
  worker: Loose,
  call: Promise<unknown>,
  type: Outcome['type'],
  code: ProcxyErrorCode,
  method: string,
  more: Pick<Outcome, 'cause' | 'fields'> = {},
): Promise<Outcome> {
  return { error: await rejection(call), type, code, method, pid: worker.$pid, ...more };
}

/** The outcome of a call to `method` of `worker` whose argument at `path` must be refused. */
function refusedArgument(
  worker: Loose,
  call: Promise<unknown>,
  method: string,
  path = 'args[0]',
): Promise<Outcome> {
  return outcomeOf(worker, call, SerializationError, 'PROCXY_SERIALIZATION', method, { fields: { path } });
}

/** The pid of the first child of this process, other than `known`, that runs; a fresh worker being spawned. */
async function freshChild(known: number): Promise<number> {
  let fresh: number | undefined;
  await waitFor(
    'a fresh worker to be spawned',
    () => {
      fresh = liveChildren().find((pid) => pid !== known);
      return fresh !== undefined;
    },
    10_000,
    1,
  );
  return fresh!;
}

/** Registered only by the cases that need them (last in the table): a handler changes how every value is checked. */
class Unserializable {
  readonly n = 1;
}
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
const unserializableHandler = {
  canHandle: (value: unknown): value is Unserializable => value instanceof Unserializable,
  serialize: (): number => {
    throw new RangeError('cannot serialize this');
  },
  deserialize: () => new Unserializable(),
};
const pointHandler = {
  canHandle: (value: unknown): value is Point => value instanceof Point,
  serialize: (p: Point) => [p.x, p.y],
  deserialize: ([x, y]: number[]) => new Point(x!, y!),
};
function registerHandlers(): void {
  registerTransferHandler('ErrorFieldsUnserializable', unserializableHandler);
  // Registered here only: the child cannot rebuild it.
  registerTransferHandler('ErrorFieldsPoint', pointHandler);
}

const cases: Case[] = [
  // Crash, exit and kill (link.ts #died): ChildCrashedError.
  {
    name: 'process.exit(0) mid-call',
    async run() {
      const worker = await start();
      const error = await rejection(worker.exit(0, 'clean exit'));
      return {
        error,
        type: ChildCrashedError,
        code: 'PROCXY_CHILD_CRASHED',
        method: 'exit',
        pid: worker.$pid,
        fields: { exitCode: 0, signal: null },
      };
    },
  },
  {
    name: 'SIGKILL from outside mid-call',
    async run() {
      const worker = await start();
      const call = worker.sleep(60_000);
      await sleep(20);
      process.kill(worker.$pid, 'SIGKILL');
      return outcomeOf(worker, call, ChildCrashedError, 'PROCXY_CHILD_CRASHED', 'sleep', {
        fields: { exitCode: null, signal: 'SIGKILL' },
      });
    },
  },
  {
    name: 'an uncaught exception in the child during the call',
    async run() {
      const worker = await start();
      return outcomeOf(
        worker,
        worker.throwUncaught('thrown from a timer'),
        ChildCrashedError,
        'PROCXY_CHILD_CRASHED',
        'throwUncaught',
        { cause: new TypeError('thrown from a timer'), fields: { exitCode: 1 } },
      );
    },
  },
  {
    name: 'an unhandled rejection in the child during the call',
    async run() {
      const worker = await start({ serialization: 'advanced' });
      return outcomeOf(
        worker,
        worker.rejectUnhandled('nobody handled me'),
        ChildCrashedError,
        'PROCXY_CHILD_CRASHED',
        'rejectUnhandled',
        { cause: new RangeError('nobody handled me') },
      );
    },
  },
  {
    name: 'a call after the child crashed',
    async run() {
      const worker = await start();
      await rejection(worker.exit(1, 'bye'));
      return outcomeOf(worker, worker.pid(), ChildCrashedError, 'PROCXY_CHILD_CRASHED', 'pid', {
        fields: { exitCode: 1 },
      });
    },
  },
  {
    name: 'a child that closes its end of the link mid-call',
    async run() {
      const worker = await start();
      return outcomeOf(worker, worker.closeFd(4), ChildCrashedError, 'PROCXY_CHILD_CRASHED', 'closeFd');
    },
  },
  {
    name: 'retries exhausted (the last fresh worker crashed too)',
    async run() {
      const worker = await start({ retries: 2, idempotent: ['recordThenExit'] });
      const error = await rejection(worker.recordThenExit(files.file('exhausted')));
      return {
        error,
        type: ChildCrashedError,
        code: 'PROCXY_CHILD_CRASHED',
        method: 'recordThenExit',
        pid: worker.$pid,
      };
    },
  },

  // Timeouts, $terminate() and aborts.
  {
    name: 'another call pending when one times out',
    async run() {
      const worker = await start({ timeout: 200 });
      const other = worker.$with({ timeout: 0 }).sleep(60_000);
      const timedOut = await rejection(worker.sleep(60_000));
      expect(timedOut).toBeInstanceOf(TimeoutError);
      const error = await rejection(other);
      expect((error as Error).cause).toBe(timedOut);
      return {
        error,
        type: TerminatedError,
        code: 'PROCXY_TERMINATED',
        method: 'sleep',
        pid: worker.$pid,
        cause: timedOut,
      };
    },
  },
  {
    name: '$terminate() while the call is pending',
    async run() {
      const worker = await start();
      const call = worker.sleep(60_000);
      const terminating = worker.$terminate();
      const error = await rejection(call);
      await terminating;
      return { error, type: TerminatedError, code: 'PROCXY_TERMINATED', method: 'sleep', pid: worker.$pid };
    },
  },
  {
    name: 'a call after $terminate()',
    async run() {
      const worker = await start();
      await worker.$terminate();
      return outcomeOf(worker, worker.pid(), TerminatedError, 'PROCXY_TERMINATED', 'pid');
    },
  },
  {
    name: 'a call signal already aborted',
    async run() {
      const worker = await start();
      return outcomeOf(
        worker,
        worker.$with({ signal: AbortSignal.abort('no need') }).echo('x'),
        AbortError,
        'PROCXY_ABORTED',
        'echo',
        { cause: 'no need' },
      );
    },
  },
  {
    name: 'a call signal aborted mid-call',
    async run() {
      const worker = await start();
      const controller = new AbortController();
      const call = worker.$with({ signal: controller.signal }).sleep(60_000);
      await sleep(20);
      controller.abort(new Error('changed my mind'));
      return outcomeOf(worker, call, AbortError, 'PROCXY_ABORTED', 'sleep', {
        cause: new Error('changed my mind'),
      });
    },
  },
  {
    name: 'the worker-level signal aborted while the call is pending',
    async run() {
      const controller = new AbortController();
      const worker = await start({ signal: controller.signal });
      const call = worker.sleep(60_000);
      await sleep(20);
      controller.abort('shutting down');
      return outcomeOf(worker, call, AbortError, 'PROCXY_ABORTED', 'sleep', { cause: 'shutting down' });
    },
  },
  {
    name: 'a call after the worker-level signal aborted',
    async run() {
      const controller = new AbortController();
      const worker = await start({ signal: controller.signal });
      controller.abort('shutting down');
      return outcomeOf(worker, worker.pid(), AbortError, 'PROCXY_ABORTED', 'pid', { cause: 'shutting down' });
    },
  },

  // Refused before anything is sent.
  ...(['a plain call', 'a call with a signal'] as const).map((kind) => ({
    name: `maxPending reached (${kind})`,
    async run() {
      const worker = await start({ maxPending: 1 });
      const pending = worker.sleep(50);
      const via = kind === 'a plain call' ? worker : worker.$with({ signal: new AbortController().signal });
      const outcome = await outcomeOf(worker, via.echo(1), QueueFullError, 'PROCXY_QUEUE_FULL', 'echo', {
        fields: { maxPending: 1 },
      });
      await pending;
      return outcome;
    },
  })),
  {
    name: 'an argument refused in json mode (a nested function)',
    async run() {
      const worker = await start();
      return refusedArgument(worker, worker.echo({ deep: [{ f: () => 1 }] }), 'echo', 'args[0].deep[0].f');
    },
  },
  {
    name: 'an argument refused in advanced mode (a symbol)',
    async run() {
      const worker = await start({ serialization: 'advanced' });
      return refusedArgument(worker, worker.echo({ s: Symbol('s') }), 'echo', 'args[0].s');
    },
  },
  {
    name: 'an argument whose getter throws while it is checked',
    async run() {
      const worker = await start();
      const thrown = new Error('getter failed');
      const value = {
        get boom(): never {
          throw thrown;
        },
      };
      return outcomeOf(worker, worker.echo(value), SerializationError, 'PROCXY_SERIALIZATION', 'echo', {
        cause: thrown,
      });
    },
  },
  {
    name: 'arguments over maxMessageBytes',
    async run() {
      const worker = await start({ maxMessageBytes: mib });
      return outcomeOf(
        worker,
        worker.echo('x'.repeat(2 * mib)),
        MessageTooLargeError,
        'PROCXY_MESSAGE_TOO_LARGE',
        'echo',
        { fields: { maxMessageBytes: mib } },
      );
    },
  },
  {
    name: 'a handle argument without supportHandles',
    async run() {
      const worker = await start();
      return refusedArgument(worker, worker.echo(new net.Socket()), 'echo');
    },
  },
  {
    name: 'a socket that is not connected, with supportHandles',
    async run() {
      const worker = await start({ supportHandles: true });
      return refusedArgument(worker, worker.echo(new net.Socket()), 'echo');
    },
  },
  {
    name: '$sendHandle given something that is not a handle',
    async run() {
      const worker = await start({ supportHandles: true });
      return refusedArgument(worker, worker.$sendHandle({} as never), '$sendHandle');
    },
  },

  // What the child sends.
  {
    name: 'a call after the child broke the protocol',
    async run() {
      const worker = await start();
      await rejection(worker.writeRaw([0, 0, 0, 0, 1]));
      return outcomeOf(worker, worker.pid(), ProtocolError, 'PROCXY_PROTOCOL', 'pid', {
        cause: 'TransportError: Malformed frame: zero length',
      });
    },
  },
  {
    name: 'the child sent a frame header over maxMessageBytes',
    async run() {
      const worker = await start({ maxMessageBytes: mib });
      const header = Buffer.alloc(5);
      header.writeUInt32LE(2 * mib + 1, 0);
      header[4] = 1;
      return outcomeOf(
        worker,
        worker.writeRaw([...header]),
        MessageTooLargeError,
        'PROCXY_MESSAGE_TOO_LARGE',
        'writeRaw',
        {
          cause: `TransportError: Frame of ${2 * mib} bytes exceeds maxMessageBytes (${mib})`,
          fields: { bytes: 2 * mib, maxMessageBytes: mib },
        },
      );
    },
  },
  {
    name: 'a result over maxMessageBytes (refused by the child)',
    async run() {
      const worker = await start({ maxMessageBytes: mib });
      return outcomeOf(worker, worker.big(2 * mib), MessageTooLargeError, 'PROCXY_MESSAGE_TOO_LARGE', 'big', {
        fields: { maxMessageBytes: mib },
      });
    },
  },
  {
    name: 'a result the child cannot serialize (a Buffer in json mode)',
    async run() {
      const worker = await start();
      return refusedArgument(
        worker,
        worker.answerBufferThenExit(16, 'immediate'),
        'answerBufferThenExit',
        'result',
      );
    },
  },
  {
    name: '$sendHandle to a worker without an [onHandle] hook',
    async run() {
      const worker = await start({ supportHandles: true });
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        return {
          error: await rejection(worker.$sendHandle(server)),
          type: MethodNotFoundError,
          code: 'PROCXY_METHOD_NOT_FOUND',
          method: '$sendHandle',
          pid: worker.$pid,
        };
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  },

  // A retry's fresh worker.
  {
    name: '$terminate() while a fresh worker is started to retry the call',
    async run() {
      const worker = await start({ retries: 1, idempotent: ['crashUnlessMarked'] });
      const first = worker.$pid;
      const marker = files.file('replaced');
      const call = worker.crashUnlessMarked(marker);
      const fresh = await freshChild(first);
      expect(existsSync(marker)).toBe(true);
      const terminating = worker.$terminate();
      const error = await rejection(call);
      await terminating;
      return {
        error,
        type: TerminatedError,
        code: 'PROCXY_TERMINATED',
        method: 'crashUnlessMarked',
        pid: expect.toBeOneOf([first, fresh]),
      };
    },
  },
  {
    name: 'the fresh worker of a retry dies while starting',
    async run() {
      const worker = await start({ retries: 1, idempotent: ['crashUnlessMarked'] });
      const first = worker.$pid;
      const call = worker.crashUnlessMarked(files.file('killed-fresh'));
      const fresh = await freshChild(first);
      process.kill(fresh, 'SIGKILL');
      return {
        error: await rejection(call),
        type: ChildCrashedError,
        code: 'PROCXY_CHILD_CRASHED',
        method: 'crashUnlessMarked',
        pid: expect.toBeOneOf([first, fresh]),
        fields: { signal: 'SIGKILL' },
      };
    },
  },

  // Transfer handlers (registered from here on).
  {
    name: 'a transfer handler that throws in serialize for an argument',
    async run() {
      registerHandlers();
      const worker = await start({ serialization: 'advanced' });
      return outcomeOf(
        worker,
        worker.echo(new Unserializable()),
        SerializationError,
        'PROCXY_SERIALIZATION',
        'echo',
        { cause: new RangeError('cannot serialize this'), fields: { path: 'args[0]' } },
      );
    },
  },
  {
    name: 'an argument the child cannot rebuild (no transfer handler there)',
    async run() {
      registerHandlers();
      const worker = await start({ serialization: 'advanced' });
      return outcomeOf(
        worker,
        worker.echo(new Point(1, 2)),
        SerializationError,
        'PROCXY_SERIALIZATION',
        'echo',
      );
    },
  },
];

describe('the error of every path by which a call rejects', () => {
  it.each(cases)('$name: a ProcxyError with its code, method, pid and cause', async (c) => {
    const outcome = await c.run();
    expect(observed(outcome)).toEqual(expected(outcome));
  });
});
