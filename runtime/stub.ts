// What a generated parent stub calls: start the generated child entry and return the same proxy procxy() gives.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModuleResolutionError } from './errors.js';
import type { SerializationMode } from './modes.js';
import { type ProcxyOptions, resolveStubOptions } from './options.js';
import { startProxy } from './procxy.js';

export interface StubSpec {
  readonly className: string;
  /** The worker source relative to the config, for messages. */
  readonly source: string;
  /** The generated child entry, plain JavaScript. */
  readonly child: string | URL;
  readonly serialization: SerializationMode;
  /** The dispatch table: call index i runs methods[i]. */
  readonly methods: readonly string[];
  readonly idempotent: readonly string[];
  /** By method: the arguments that are callbacks declared to return nothing, answered without their value. */
  readonly voidCallbacks?: Readonly<Record<string, readonly number[]>>;
  /** A method takes a net.Socket, net.Server or dgram.Socket: the child gets Node's IPC channel whatever the options say. */
  readonly supportHandles?: boolean;
}

export type StubOptions = Omit<ProcxyOptions, 'serialization' | 'idempotent'>;

export function spawnStub<P>(
  spec: StubSpec,
  options: StubOptions | undefined,
  args: readonly unknown[],
): Promise<P> {
  return Promise.resolve().then(() => {
    const resolved = resolveStubOptions(options, {
      serialization: spec.serialization,
      idempotent: spec.idempotent,
      supportHandles: spec.supportHandles === true,
    });
    const entry = spec.child instanceof URL ? fileURLToPath(spec.child) : spec.child;
    if (!existsSync(entry)) {
      throw new ModuleResolutionError(
        `The generated child entry of ${spec.className} is missing: ${entry}. Run procxy generate, and keep the .procxy.child.mjs beside the stub's compiled output`,
      );
    }
    return startProxy<P>(
      {
        entry,
        className: spec.className,
        methods: spec.methods,
        voidCallbacks: spec.voidCallbacks,
      },
      resolved,
      args,
    );
  });
}
