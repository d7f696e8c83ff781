// Types of handles.mjs, so the tests call it through the typed proxy.
import type { Socket as DgramSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';

export interface Described {
  kind: string;
  port?: number;
  value?: string | number | boolean | null;
}

export declare class Handles {
  adopt(socket: Socket): Described;
  adoptSecond(first: Socket, socket: Socket): Described;
  collected(bytes: number): Promise<string>;
  serve(server: Server): Described;
  shout(socket: DgramSocket): Described;
  describeAll(...args: (Socket | Server | DgramSocket | string)[]): Described[];
  takeThree(a: Socket, b: Socket, c: Socket, signal: AbortSignal): void;
  mark(label: string): void;
  logTo(file: string): void;
  log(): string[];
  spin(ms: number): void;
  disconnectIpc(): void;
  spinThenDisconnect(ms: number): void;
  fillFds(): number;
  freeFds(): 'freed';
  exitNow(socket: Socket): never;
  closeAll(): void;
}

export declare class Hookless {
  ping(): string;
}
