// procxy's own error classes: one small hierarchy with stable codes, restorable by name across the boundary.

export type ProcxyErrorCode =
  | 'PROCXY_SERIALIZATION'
  | 'PROCXY_TIMEOUT'
  | 'PROCXY_CHILD_CRASHED'
  | 'PROCXY_TERMINATED'
  | 'PROCXY_ABORTED'
  | 'PROCXY_QUEUE_FULL'
  | 'PROCXY_MESSAGE_TOO_LARGE'
  | 'PROCXY_METHOD_NOT_FOUND'
  | 'PROCXY_MODULE_RESOLUTION'
  | 'PROCXY_OPTIONS_VALIDATION'
  | 'PROCXY_SPAWN'
  | 'PROCXY_PROTOCOL'
  | 'PROCXY_CALLBACK_RELEASED';

/** Where a call-related error happened: the method and the child's pid, when known. */
export interface CallSite {
  method?: string | undefined;
  pid?: number | undefined;
}

export interface ProcxyErrorOptions extends CallSite {
  cause?: unknown;
}

export class ProcxyError extends Error {
  readonly code: ProcxyErrorCode;
  declare readonly method?: string;
  declare readonly pid?: number;

  constructor(code: ProcxyErrorCode, message: string, options: ProcxyErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = code;
    if (options.method !== undefined) this.method = options.method;
    if (options.pid !== undefined) this.pid = options.pid;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * `error` as the rejection of a call to `method` on worker `pid`: a procxy error that does not name its call (one
 * the child's runtime raised) gets the call's fields; any other error (the worker's own) is left as it is. `shared`
 * says other calls reject with the same error (the start of a fresh worker they all waited for): each then gets a
 * copy of its own.
 */
export function aboutCall<E>(error: E, method: string, pid: number | undefined, shared = false): E {
  if (!(error instanceof ProcxyError)) return error;
  // A failure many calls share (a fresh worker that could not start) is each call's own copy, naming that call.
  if (shared) {
    const copy = copyOf(error) as { method?: string; pid?: number };
    copy.method = method;
    if (pid !== undefined) copy.pid ??= pid;
    return copy as E;
  }
  if (error.method !== undefined && error.pid !== undefined) return error;
  const named = error as { method?: string; pid?: number };
  named.method ??= method;
  if (pid !== undefined) named.pid ??= pid;
  return named as E;
}

/** The same class and own properties; `stack` as a value, as newer V8 makes it an accessor of the original alone. */
function copyOf(error: Error): Error {
  const copy = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  Object.defineProperty(copy, 'stack', { value: error.stack, writable: true, configurable: true });
  return copy;
}

export class SerializationError extends ProcxyError {
  declare readonly code: 'PROCXY_SERIALIZATION';
  /** Where in the value the problem is, e.g. `args[1].when`. */
  readonly path: string;
  constructor(message: string, path: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_SERIALIZATION', message, options);
    this.path = path;
  }
}

export class TimeoutError extends ProcxyError {
  declare readonly code: 'PROCXY_TIMEOUT';
  readonly timeoutMs: number;
  constructor(method: string, timeoutMs: number, pid: number | undefined) {
    super(
      'PROCXY_TIMEOUT',
      `Call to '${method}' timed out after ${timeoutMs} ms; the worker was terminated`,
      {
        method,
        pid,
      },
    );
    this.timeoutMs = timeoutMs;
  }
}

export interface ChildExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

export class ChildCrashedError extends ProcxyError {
  declare readonly code: 'PROCXY_CHILD_CRASHED';
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: string;
  constructor(message: string, exit: ChildExit, options: ProcxyErrorOptions = {}) {
    super('PROCXY_CHILD_CRASHED', message, options);
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    this.stderrTail = exit.stderrTail;
  }
}

export class TerminatedError extends ProcxyError {
  declare readonly code: 'PROCXY_TERMINATED';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_TERMINATED', message, options);
  }
}

export class AbortError extends ProcxyError {
  declare readonly code: 'PROCXY_ABORTED';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_ABORTED', message, options);
  }
}

export class QueueFullError extends ProcxyError {
  declare readonly code: 'PROCXY_QUEUE_FULL';
  readonly maxPending: number;
  constructor(maxPending: number, options: ProcxyErrorOptions = {}) {
    super('PROCXY_QUEUE_FULL', `Too many calls in flight: maxPending is ${maxPending}`, options);
    this.maxPending = maxPending;
  }
}

export class MessageTooLargeError extends ProcxyError {
  declare readonly code: 'PROCXY_MESSAGE_TOO_LARGE';
  readonly bytes: number;
  readonly maxMessageBytes: number;
  constructor(message: string, bytes: number, maxMessageBytes: number, options: ProcxyErrorOptions = {}) {
    super('PROCXY_MESSAGE_TOO_LARGE', message, options);
    this.bytes = bytes;
    this.maxMessageBytes = maxMessageBytes;
  }
}

export class MethodNotFoundError extends ProcxyError {
  declare readonly code: 'PROCXY_METHOD_NOT_FOUND';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_METHOD_NOT_FOUND', message, options);
  }
}

export class ModuleResolutionError extends ProcxyError {
  declare readonly code: 'PROCXY_MODULE_RESOLUTION';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_MODULE_RESOLUTION', message, options);
  }
}

export class OptionsValidationError extends ProcxyError {
  declare readonly code: 'PROCXY_OPTIONS_VALIDATION';
  /** The option that was wrong, e.g. `timeout`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super('PROCXY_OPTIONS_VALIDATION', `Invalid option '${option}': ${message}`);
    this.option = option;
  }
}

/** The worker module failed to load or its constructor threw; `cause` is the child's error. */
export class SpawnError extends ProcxyError {
  declare readonly code: 'PROCXY_SPAWN';
  readonly stderrTail: string;
  constructor(message: string, stderrTail: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_SPAWN', message, options);
    this.stderrTail = stderrTail;
  }
}

/** The child broke the wire protocol (malformed or unexpected frame); it was terminated. */
export class ProtocolError extends ProcxyError {
  declare readonly code: 'PROCXY_PROTOCOL';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_PROTOCOL', message, options);
  }
}

/** Thrown in the child by a callback argument invoked after its call settled (callbacks live as long as their call). */
export class CallbackReleasedError extends ProcxyError {
  declare readonly code: 'PROCXY_CALLBACK_RELEASED';
  constructor(message: string, options: ProcxyErrorOptions = {}) {
    super('PROCXY_CALLBACK_RELEASED', message, options);
  }
}
