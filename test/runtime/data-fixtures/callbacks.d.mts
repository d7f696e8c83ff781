// Types of callbacks.mjs, so the tests call it through the typed proxy.
interface Described {
  ctor?: string;
  name?: string;
  message?: string;
  code?: string;
  path?: string;
}
type Outcome<T> = { ok: T } | { error: Described };

export declare class Tasks {
  progress(count: number, onProgress: (i: number, total: number) => void): number;
  progressAwaited(count: number, onProgress: (i: number) => number | Promise<number>): Promise<number>;
  ask(question: string, answer: (question: string) => string | Promise<string> | number): Promise<string>;
  twoCallbacks(
    first: (v: number) => number | Promise<number>,
    value: number,
    second: (v: number) => number | Promise<number>,
  ): Promise<number[]>;
  // biome-ignore lint/suspicious/noExplicitAny: the tests pass it callbacks of every shape, checked at run time
  outcome(callback: (...args: any[]) => any, ...args: any[]): Promise<Outcome<any>>;
  manyLargeAnswers(
    count: number,
    size: number,
    inFlight: number,
    callback: (size: number) => Buffer | Promise<Buffer>,
  ): Promise<number>;
  lanes(lanes: number, callback: () => number | Promise<number>): Promise<number>;
  taskAwaiting(callback: () => Promise<number>): Promise<number>;
  invokeThenBlock(count: number, ms: number, callback: (k: number) => Promise<Buffer>): number;
  awaitAndRecord(callback: () => Promise<string>): Promise<Outcome<string>>;
  lastOutcome(): Outcome<string> | null;
  bigRoundTrip(
    size: number,
    callback: (data: Buffer) => Buffer | Promise<Buffer>,
  ): Promise<{ isBuffer: boolean; length: number; last: number }>;
  unreadableError(
    callback: (error: Error) => void,
    kind: 'getter' | 'proxy',
  ): Promise<{ threw: Described } | Outcome<undefined>>;
  kinds(...args: (number | string | undefined)[]): string[];
  callWithUnreadable(callback: (value: { x: number }) => void): Promise<Outcome<undefined>>;
  failNodeStyle(done: (error: Error | null, partial?: string) => string | Promise<string>): Promise<string>;
  dieDuringCallback(callback: () => Promise<string>): Promise<never>;
  markedArgs(
    count: number,
    callback: (buffers: ArrayBuffer[]) => number | Promise<number>,
  ): Promise<
    | { threw: Described }
    | { ok: number; kept: boolean }
    | { error: Described & { method?: string }; kept: boolean }
  >;
  callKeptWithMarked(): Promise<{ ok: string } | { error: Described; length: number }>;
  markedBuffer(): ArrayBuffer;
  markedLength(): number;
  keep(callback: (...args: string[]) => void): string;
  // biome-ignore lint/suspicious/noExplicitAny: whatever the kept callback answered
  callKept(...args: string[]): Promise<Outcome<any>>;
  work(ms: number, signal: AbortSignal): Promise<'done' | 'aborted'>;
  workWith(value: { read: number }, signal: AbortSignal): Promise<'done' | 'aborted'>;
  workWithProgress(onProgress: () => void, signal: AbortSignal): Promise<'aborted'>;
  signalIsFresh(signal: AbortSignal): boolean;
  callCount(): number;
  abortCount(): number;
  lastAbortSeen(): { isSignal: boolean; reason: Described | string } | null;
  runtimeState(): { scopes: number; invocations: number };
}
