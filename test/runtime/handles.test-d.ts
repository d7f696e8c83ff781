// Handle types: net.Socket, net.Server and dgram.Socket are accepted as top-level parameters only.
import type { Socket as DgramSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import type { PassableHandle, Procxy } from 'procxy';
import { type PassableHandle as ChildPassableHandle, onHandle } from 'procxy/child';
import { describe, expectTypeOf, it } from 'vitest';

declare class Router {
  adopt(socket: Socket): number;
  serve(server: Server, name: string): void;
  udp(socket: DgramSocket): void;
  either(target: Socket | string): void;
  maybe(socket?: Socket): void;
  nested(holder: { socket: Socket }): void;
  returns(): Socket;
  [onHandle](handle: PassableHandle): void;
}

describe('PassableHandle', () => {
  it('is the three kinds of handle, the same type on both sides', () => {
    expectTypeOf<PassableHandle>().toEqualTypeOf<Socket | Server | DgramSocket>();
    expectTypeOf<ChildPassableHandle>().toEqualTypeOf<PassableHandle>();
  });
});

describe('Procxy with handle parameters', () => {
  const p = {} as Procxy<Router, 'json'>;
  const a = {} as Procxy<Router, 'advanced'>;

  it('accepts handles at the top level of the parameters, in both modes', () => {
    expectTypeOf(p.adopt).toEqualTypeOf<(socket: Socket) => Promise<number>>();
    expectTypeOf(a.adopt).toEqualTypeOf<(socket: Socket) => Promise<number>>();
    expectTypeOf(p.serve).toEqualTypeOf<(server: Server, name: string) => Promise<void>>();
    expectTypeOf(p.udp).toEqualTypeOf<(socket: DgramSocket) => Promise<void>>();
    expectTypeOf(p.either).toEqualTypeOf<(target: Socket | string) => Promise<void>>();
    expectTypeOf(p.maybe).toEqualTypeOf<(socket?: Socket) => Promise<void>>();
  });

  it('refuses a handle nested in a value, or returned', () => {
    expectTypeOf(p.nested).toBeNever();
    expectTypeOf(a.nested).toBeNever();
    expectTypeOf(p.returns).toBeNever();
  });

  it('has $sendHandle, and leaves the [onHandle] hook off the proxy', () => {
    expectTypeOf(p.$sendHandle).toEqualTypeOf<(handle: PassableHandle) => Promise<void>>();
    // @ts-expect-error the hook is the child's, not a method of the proxy
    p[onHandle];
  });
});
