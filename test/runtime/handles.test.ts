// Handle passing: sockets, servers and dgram sockets reach a real child as live OS handles, in order, losing nothing.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AbortError,
  ChildCrashedError,
  MethodNotFoundError,
  OptionsValidationError,
  type Procxy,
  type ProcxyOptions,
  procxy,
  SerializationError,
  TerminatedError,
} from 'procxy';
import { afterEach, describe, expect, it } from 'vitest';
import { Handles, Hookless } from './handle-fixtures/handles.mjs';
import { scratchDir } from './helpers.js';
import { guardLeaks } from './reliability/helpers.js';

guardLeaks();

const url = new URL('./handle-fixtures/handles.mjs', import.meta.url);

/** Undone after each test, last first: workers end before the servers and sockets they were given. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function worker(options: ProcxyOptions = { supportHandles: true }) {
  const w = await procxy(Handles, url, options);
  cleanups.push(() => w.$terminate());
  return w;
}

async function listen(options: net.ServerOpts = {}): Promise<net.Server> {
  const server = net.createServer(options);
  cleanups.push(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

function portOf(server: net.Server | dgram.Socket): number {
  return (server.address() as net.AddressInfo).port;
}

/** A client connected to `server`, and the parent's end of the connection. */
async function connect(server: net.Server): Promise<{ client: net.Socket; accepted: net.Socket }> {
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(portOf(server), '127.0.0.1');
  cleanups.push(() => client.destroy());
  await once(client, 'connect');
  const [socket] = await accepted;
  cleanups.push(() => socket.destroy());
  return { client, accepted: socket };
}

function write(socket: net.Socket, bytes: string): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.write(bytes, 'latin1', (error) => (error ? reject(error) : resolve())),
  );
}

/** Reads until `length` bytes or the end. */
async function read(socket: net.Socket, length = Infinity): Promise<string> {
  let text = '';
  socket.setEncoding('latin1');
  for await (const chunk of socket) {
    text += chunk;
    if (text.length >= length) break;
  }
  return text;
}

function pattern(bytes: number, seed: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${seed}:${i};`;
  return text.slice(0, bytes);
}

const openFds = () => readdirSync('/proc/self/fd').length;
const run = promisify(execFile);

/** Whether `pid` still runs (a zombie, state Z, does not). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function settle(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('handle arguments', () => {
  it('hands over a TCP connection without losing a byte written before or after (pauseOnConnect)', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    const before = pattern(256 * 1024, 1);
    await write(client, before);
    expect(await w.adopt(accepted)).toEqual({ kind: 'net.Socket', port: client.localPort });
    const after = pattern(256 * 1024, 2);
    await write(client, after);
    const received = await w.collected(before.length + after.length);
    expect(received.length).toBe(before.length + after.length);
    expect(received === before + after).toBe(true);
  });

  it('hands over a TCP connection after what the parent still had to write on it is written', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    const chunks: Buffer[] = [];
    let received = 0;
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    // More than the kernel takes at once: most of it waits in this process when the handle is sent.
    const sent = Buffer.from(pattern(8 * 1024 * 1024, 3), 'latin1');
    accepted.write(sent);
    expect(accepted.writableLength).toBeGreaterThan(0);
    expect(await w.adopt(accepted)).toEqual({ kind: 'net.Socket', port: client.localPort });
    await settle(() => received >= sent.length);
    expect(received).toBe(sent.length);
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
  });

  it('hands over a corked socket: its writes go out first, then the socket, which the client still reaches', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    const port = client.localPort;
    accepted.cork();
    accepted.write('before the handoff');
    const got = read(client, 'before the handoff'.length);
    expect(await w.adopt(accepted)).toEqual({ kind: 'net.Socket', port });
    expect(await got).toBe('before the handoff');
    await w.mark('after');
    expect(await w.log()).toEqual(['adopt', 'after']);
  });

  it('gives up the handle of a call aborted while its socket waits for its writes: later calls run, no fd leaks', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    // The client reads nothing: most of this stays in this process, and the handoff waits for it.
    client.pause();
    accepted.write(Buffer.alloc(32 * 1024 * 1024));
    const fds = openFds();
    const controller = new AbortController();
    const call = w.$with({ signal: controller.signal }).adopt(accepted);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await call.catch((e: unknown) => e)).toBeInstanceOf(AbortError);
    await w.mark('after');
    // Closed here, as the child would have closed it: the call it was for never runs.
    expect(accepted.destroyed).toBe(true);
    await settle(() => openFds() < fds);
    expect(openFds()).toBeLessThan(fds);
    expect(await w.log()).toEqual(['after']);
  });

  it('fails the call of a socket whose pending writes failed (the peer reset it), rather than hand it over', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    client.pause();
    accepted.on('error', () => {});
    accepted.write(Buffer.alloc(32 * 1024 * 1024));
    const call = w.adopt(accepted).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.resetAndDestroy();
    const error = (await call) as SerializationError;
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toMatch(
      /args\[0\]: the handle could not be sent: writing what it still held failed/,
    );
    expect(accepted.destroyed).toBe(true);
    await w.mark('after');
    expect(await w.log()).toEqual(['after']);
  });

  it('runs no call held back for a handle once $terminate() disposes the worker', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const file = join(scratchDir('procxy-handles-'), 'log');
    await w.logTo(file);
    const { client, accepted } = await connect(server);
    client.pause();
    accepted.write(Buffer.alloc(32 * 1024 * 1024));
    const held = w.adopt(accepted).catch((e: unknown) => e);
    const after = w.mark('plain').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const ending = w.$terminate();
    // The client reads while the worker disposes: the socket's writes go out, and it could be handed over.
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.resume();
    await ending;
    expect(await held).toBeInstanceOf(TerminatedError);
    expect(await after).toBeInstanceOf(TerminatedError);
    expect(readFileSync(file, 'utf8')).toBe('dispose\n');
  });

  it('hands over a socket ended with writes pending once they are written: the client gets every byte', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const { client, accepted } = await connect(server);
    const chunks: Buffer[] = [];
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = once(client, 'end');
    const sent = Buffer.from(pattern(8 * 1024 * 1024, 4), 'latin1');
    accepted.end(sent);
    expect(accepted.writableLength).toBeGreaterThan(0);
    // Its port is not compared: the client may have read everything, and closed, before the child looks.
    expect(await w.adopt(accepted)).toMatchObject({ kind: 'net.Socket' });
    await ended;
    expect(Buffer.concat(chunks).equals(sent)).toBe(true);
  });

  it('stops reading a socket it hands over for good: what the client sends afterwards reaches the child', async () => {
    const w = await worker();
    const { accepted: first } = await connect(await listen({ pauseOnConnect: true }));
    const server = await listen();
    const handedOver = new Promise((resolve, reject) => {
      server.once('connection', (socket: net.Socket) => {
        cleanups.push(() => socket.destroy());
        // The parent reads the first bytes itself, then hands the socket over behind a handle the busy child
        // acknowledges late, so this process holds it a while after the call.
        socket.once('data', () => w.adoptSecond(first, socket).then(resolve, reject));
      });
    });
    const client = net.connect(portOf(server), '127.0.0.1');
    cleanups.push(() => client.destroy());
    await once(client, 'connect');
    const busy = w.spin(500);
    await write(client, 'HELLO ');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await write(client, 'WORLD!');
    await busy;
    await handedOver;
    const collected = w.collected(6);
    collected.catch(() => {});
    const late = new Promise((resolve) => setTimeout(() => resolve('nothing within 2 s'), 2_000));
    expect(await Promise.race([collected, late])).toBe('WORLD!');
  });

  it('hands over a net.Server that then serves connections in the child', async () => {
    const server = await listen();
    const port = portOf(server);
    const w = await worker();
    expect(await w.serve(server)).toEqual({ kind: 'net.Server', port });
    // The parent's copy would accept connections too: close it, the child's keeps listening.
    server.close();
    const client = net.connect(port, '127.0.0.1');
    cleanups.push(() => client.destroy());
    expect(await read(client)).toBe(`hello from ${w.$pid}`);
    await w.closeAll();
  });

  it('hands over a bound dgram.Socket that then answers datagrams in the child', async () => {
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const port = portOf(udp);
    const w = await worker();
    expect(await w.shout(udp)).toEqual({ kind: 'dgram.Socket', port });
    udp.close();
    const peer = dgram.createSocket('udp4');
    cleanups.push(() => peer.close());
    const answer = once(peer, 'message');
    peer.send('hello', port, '127.0.0.1');
    expect(String((await answer)[0])).toBe('HELLO');
    await w.closeAll();
  });

  it('delivers several handles of one call in argument order, among plain values', async () => {
    const server = await listen({ pauseOnConnect: true });
    const first = await connect(server);
    const second = await connect(server);
    const w = await worker();
    expect(await w.describeAll(first.accepted, 'middle', server, second.accepted)).toEqual([
      { kind: 'net.Socket', port: first.client.localPort },
      { kind: 'string', value: 'middle' },
      { kind: 'net.Server', port: portOf(server) },
      { kind: 'net.Socket', port: second.client.localPort },
    ]);
    await w.closeAll();
  });

  it('passes handles in advanced mode too, beside V8-encoded values', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { client, accepted } = await connect(server);
    const w = await worker({ supportHandles: true, serialization: 'advanced' });
    // A bigint makes the call's frame a V8 one.
    expect(await w.describeAll(accepted, 10n as never)).toEqual([
      { kind: 'net.Socket', port: client.localPort },
      { kind: 'bigint', value: 10n },
    ]);
    await w.closeAll();
  });

  it('runs a plain call sent right after a handle call after it', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) {
      // Node sends one handle per acknowledgement from the child, so the plain call's frame overtakes the last ones.
      const sockets = [];
      for (let j = 0; j < 3; j++) sockets.push((await connect(server)).accepted);
      await Promise.all([w.describeAll(...sockets), w.mark(`after ${i}`)]);
      expected.push('describeAll', `after ${i}`);
    }
    expect(await w.log()).toEqual(expected);
    await w.closeAll();
  });

  it.each(['a signal argument', '$with({ signal })'])(
    'never runs a call aborted (through %s) while it waited for its handles, and closes them',
    async (how) => {
      const server = await listen({ pauseOnConnect: true });
      const w = await worker();
      const connections = [await connect(server), await connect(server), await connect(server)];
      let ended = 0;
      for (const { client } of connections) {
        client.on('end', () => ended++);
        client.resume();
      }
      const [a, b, c] = connections.map((connection) => connection.accepted) as [
        net.Socket,
        net.Socket,
        net.Socket,
      ];
      const controller = new AbortController();
      // The abort frame follows the call frame at once; the last handles need the child's acknowledgements first.
      const call =
        how === 'a signal argument'
          ? w.takeThree(a, b, c, controller.signal)
          : w.$with({ signal: controller.signal }).describeAll(a, b, c);
      controller.abort();
      await expect(call).rejects.toBeInstanceOf(AbortError);
      await w.mark('after');
      expect(await w.log()).toEqual(['after']);
      await settle(() => ended === 3);
      expect(ended).toBe(3);
    },
  );

  it('rejects a destroyed socket, naming the argument, and keeps serving', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await worker();
    accepted.destroy();
    const error = await w.adopt(accepted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({
      path: 'args[0]',
      method: 'adopt',
      message: expect.stringMatching(/destroyed/),
    });
    expect(await w.log()).toEqual([]);
  });

  it('rejects a socket that was already handed over', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await worker();
    await w.adopt(accepted);
    const error = await w.adopt(accepted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ path: 'args[0]', message: expect.stringMatching(/already handed/) });
    await w.closeAll();
  });

  it('rejects handles that are not ready: a server not listening, a dgram socket unbound or closed, a socket connecting', async () => {
    const w = await worker();
    const idle = net.createServer();
    await expect(w.serve(idle)).rejects.toThrow(/args\[0\]: the net.Server is not listening/);
    const unbound = dgram.createSocket('udp4');
    cleanups.push(() => unbound.close());
    await expect(w.shout(unbound)).rejects.toThrow(/the dgram.Socket is not bound/);
    const closed = dgram.createSocket('udp4');
    closed.bind(0, '127.0.0.1');
    await once(closed, 'listening');
    closed.close();
    await expect(w.shout(closed)).rejects.toThrow(/the dgram.Socket is closed/);
    const server = await listen();
    const connecting = net.connect(portOf(server), '127.0.0.1');
    cleanups.push(() => connecting.destroy());
    await expect(w.adopt(connecting)).rejects.toThrow(/still connecting/);
  });

  it('rejects the same socket twice in one call', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await worker();
    const error = await w.describeAll(accepted, 'x', accepted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ path: 'args[2]', message: expect.stringMatching(/also args\[0\]/) });
    expect(accepted.destroyed).toBe(false);
  });

  it('rejects a socket whose bytes this process already read, instead of losing them', async () => {
    const server = await listen();
    const { client, accepted } = await connect(server);
    await write(client, 'early bytes');
    await settle(() => accepted.readableLength > 0);
    const w = await worker();
    await expect(w.adopt(accepted)).rejects.toThrow(/11 bytes already read.*pauseOnConnect: true/);
  });

  it('refuses handles without supportHandles, saying how to enable them, and leaves the socket alone', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await worker({});
    const error = await w.adopt(accepted).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ path: 'args[0]', message: expect.stringMatching(/supportHandles: true/) });
    expect(accepted.destroyed).toBe(false);
    await expect(w.$sendHandle(accepted)).rejects.toThrow(/supportHandles: true/);
  });

  it('validates the supportHandles option', async () => {
    await expect(procxy(Handles, url, { supportHandles: 'yes' as never })).rejects.toBeInstanceOf(
      OptionsValidationError,
    );
  });
});

describe('a child that dies holding handles', () => {
  it('rejects the calls and leaks no file descriptor in the parent', async () => {
    const baseline = openFds();
    const server = await listen({ pauseOnConnect: true });
    const exits = await worker();
    const { accepted } = await connect(server);
    const exited = await exits.exitNow(accepted).catch((e: unknown) => e);
    expect(exited).toBeInstanceOf(ChildCrashedError);
    expect(exited).toMatchObject({ exitCode: 3, method: 'exitNow' });

    // Killed while busy: its handles are in the pipe, waiting for Node's acknowledgement, or still queued.
    const killed = await worker();
    const busy = killed.spin(10_000);
    const a = await connect(server);
    const b = await connect(server);
    const c = await connect(server);
    const calls = [busy, killed.adopt(a.accepted), killed.describeAll(b.accepted, c.accepted)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    killed.$process.kill('SIGKILL');
    for (const outcome of await Promise.allSettled(calls)) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ChildCrashedError);
    }

    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await settle(() => openFds() <= baseline);
    const fds = readdirSync('/proc/self/fd').map((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return 'gone';
      }
    });
    // Closing can lag behind a previous test, so the count may end below the baseline, never above it.
    expect(fds.length, fds.join('\n')).toBeLessThanOrEqual(baseline);
  });
});

describe('a worker that closes its IPC channel', () => {
  it('fails the calls whose handles can no longer arrive, then refuses handles up front, and keeps serving', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const sockets: net.Socket[] = [];
    for (let j = 0; j < 4; j++) sockets.push((await connect(server)).accepted);
    // Node sends a handle only after the child acknowledged the one before: the last two never leave.
    const [closing, stranded] = await Promise.allSettled([
      w.disconnectIpc(),
      w.describeAll(sockets[0]!, sockets[1]!, sockets[2]!),
    ]);
    expect(closing.status).toBe('fulfilled');
    expect((stranded as PromiseRejectedResult).reason).toBeInstanceOf(SerializationError);
    expect((stranded as PromiseRejectedResult).reason.message).toMatch(/IPC channel closed before/);
    await settle(() => !w.$process.connected);
    // Sockets Node never wrote are closed with the channel, while the worker lives on: their clients see the end.
    await settle(() => sockets.slice(0, 3).every((socket) => socket.destroyed));
    expect(sockets.slice(0, 3).map((socket) => socket.destroyed)).toEqual([true, true, true]);
    await expect(w.adopt(sockets[3]!)).rejects.toThrow(/args\[0\]: the worker's IPC channel is closed/);
    expect(sockets[3]!.destroyed).toBe(false);
    expect(await w.log()).toEqual([]);
    expect(w.$process.exitCode).toBe(null);
  });

  it('closes the sockets Node still held for a worker that closed its channel before reading them, while it lives on', async () => {
    const server = await listen({ pauseOnConnect: true });
    const w = await worker();
    const sockets: net.Socket[] = [];
    for (let j = 0; j < 6; j++) sockets.push((await connect(server)).accepted);
    const disconnected = once(w.$process, 'disconnect');
    // The first handles wait unread in the channel, the others in Node's queue behind them: none arrives.
    const [closing, stranded] = await Promise.allSettled([
      w.spinThenDisconnect(300),
      w.describeAll(...sockets),
    ]);
    expect(closing.status).toBe('fulfilled');
    // The parent's end closes too, while the worker lives on, though handles were still queued behind the first.
    await disconnected;
    expect((stranded as PromiseRejectedResult).reason).toBeInstanceOf(SerializationError);
    await settle(() => sockets.every((socket) => socket.destroyed));
    expect(sockets.map((socket) => socket.destroyed)).toEqual(Array(6).fill(true));
    expect(await w.log()).toEqual([]);
    expect(w.$process.exitCode).toBe(null);
  });
});

describe('the ChildProcess of a worker with an IPC channel', () => {
  it("emits 'close' once the worker closed its channel and then died, as Node's own children do", async () => {
    const w = await worker();
    const closed = once(w.$process, 'close');
    await w.disconnectIpc();
    await settle(() => !w.$process.connected);
    w.$process.kill('SIGKILL');
    expect(await closed).toEqual([null, 'SIGKILL']);
  });
});

describe('$sendHandle', () => {
  it("reaches the worker's [onHandle] hook, which then owns the live socket", async () => {
    const server = await listen({ pauseOnConnect: true });
    const { client, accepted } = await connect(server);
    const w = await worker();
    await expect(w.$sendHandle(accepted)).resolves.toBeUndefined();
    await write(client, 'ping');
    expect(await read(client, 4)).toBe('PING');
    expect(await w.log()).toEqual(['hook:net.Socket']);
    await w.closeAll();
  });

  it('rejects when the worker has no [onHandle] hook, and when given no handle', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await procxy(Hookless, url, { supportHandles: true });
    cleanups.push(() => w.$terminate());
    await expect(w.$sendHandle(accepted)).rejects.toThrow(MethodNotFoundError);
    await expect(w.$sendHandle(42 as never)).rejects.toThrow(SerializationError);
    expect(await w.ping()).toBe('pong');
  });
});

describe('a generated stub whose worker takes handles', () => {
  it('opens the IPC channel when its spec says so, without the option', async () => {
    const { spawnStub } = await import('procxy/stub');
    const spec = {
      className: 'Handles',
      source: 'handles.mjs',
      child: new URL('./handle-fixtures/handles-child.mjs', import.meta.url),
      serialization: 'json' as const,
      methods: ['adopt', 'collected', 'log'],
      idempotent: [],
      supportHandles: true,
    };
    const w = await spawnStub<Procxy<Handles>>(spec, {}, []);
    cleanups.push(() => w.$terminate());
    const server = await listen({ pauseOnConnect: true });
    const { client, accepted } = await connect(server);
    await write(client, 'through a stub');
    expect(await w.adopt(accepted)).toEqual({ kind: 'net.Socket', port: client.localPort });
    expect(await w.collected(14)).toBe('through a stub');
  });
});

describe('a worker with supportHandles', () => {
  it.each([
    ['hands a socket over', 'socket'],
    ['makes plain calls only', 'plain'],
  ])(
    'never holds its parent: a script that %s and forgets the worker exits, and its child ends',
    async (_, how) => {
      const script = fileURLToPath(new URL('./handle-fixtures/forgetful-parent.mjs', import.meta.url));
      const { stdout } = await run(process.execPath, [script, how], { timeout: 10_000 });
      const { child } = JSON.parse(stdout) as { child: number };
      await settle(() => !alive(child));
      expect(alive(child)).toBe(false);
    },
  );

  it('fails the call of a handle the worker had no file descriptor for, naming the argument, and goes on serving', async () => {
    const script = fileURLToPath(new URL('./handle-fixtures/emfile-parent.mjs', import.meta.url));
    const { stdout } = await run('bash', ['-c', `ulimit -n 64 && exec "${process.execPath}" "${script}"`], {
      timeout: 30_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      filled: true,
      refused: {
        name: 'SerializationError',
        path: 'args[0]',
        message:
          'args[0]: the handle could not be sent: the worker could not take it in (out of file descriptors, or its message was cut short)',
      },
      later: { value: [{ kind: 'string', value: 'after' }] },
      taken: 'net.Socket',
      firstClosed: true,
    });
  });

  it('does not retry an idempotent call whose handle went to the worker that crashed', async () => {
    const server = await listen({ pauseOnConnect: true });
    const { accepted } = await connect(server);
    const w = await worker({ supportHandles: true, idempotent: ['exitNow'], retries: 2 });
    const pid = w.$pid;
    await expect(w.exitNow(accepted)).rejects.toBeInstanceOf(ChildCrashedError);
    expect(w.$pid).toBe(pid);
  });
});
