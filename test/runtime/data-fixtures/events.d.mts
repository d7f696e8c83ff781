// Types of events.mjs: Ticker declares its event map, so its proxy's listeners are typed exactly.
import { EventEmitter } from 'node:events';

export interface TickerEvents {
  tick: [i: number];
  data: unknown[];
  bad: [f: () => number];
  good: [s: string];
  when: [d: Date];
  buffer: [b: Buffer];
  error: [volume: string, error: Error, attempt: number];
}

export declare class Ticker extends EventEmitter<TickerEvents> {
  // biome-ignore lint/suspicious/noExplicitAny: emits whatever the test passes
  emitNow(event: string, ...args: any[]): boolean;
  tick(count: number): number;
  attached(event: string): number;
  removeAll(event?: string): void;
  removeAllThenEmit(event: 'tick', i: number): boolean;
  emitFunction(): void;
  emitDate(): void;
  emitBuffer(size: number): void;
  emitError(): void;
  emitUnreadableError(): boolean;
  errorTwice(): boolean[];
  emitThrowingGetter(): boolean | string;
}

export declare class Strict extends EventEmitter {
  emitNow(event: string, ...args: number[]): boolean;
}

export declare class Plain {
  on(event: string): string;
}
