// Types of forger.mjs.
import { EventEmitter } from 'node:events';

export declare class Forger extends EventEmitter<{ tick: [from: string] }> {
  forgeCallback(id: number, f: number): Promise<never>;
  ping(): string;
  hang(signal: AbortSignal): Promise<never>;
  forgeAnswer(id: number): string;
  forgeAfterAnswer(id: number, then: 'answer' | 'callback'): Promise<string>;
  forgeEvent(): Promise<never>;
  forgeErrorEvent(): Promise<never>;
  forgeAnswerThenEvents(): Promise<never>;
  tickAfterCrash(marker: string): string;
}
