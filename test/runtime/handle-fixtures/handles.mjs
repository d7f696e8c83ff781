// A worker that receives live sockets, servers and dgram sockets, and reports what reached it and in which order.
import dgram from 'node:dgram';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import net from 'node:net';
import { onHandle } from 'procxy/child';

function describe(value) {
  if (value instanceof net.Socket) return { kind: 'net.Socket', port: value.remotePort };
  if (value instanceof net.Server) return { kind: 'net.Server', port: value.address().port };
  if (value instanceof dgram.Socket) return { kind: 'dgram.Socket', port: value.address().port };
  return { kind: typeof value, value };
}

export class Handles {
  #chunks = [];
  #bytes = 0;
  #waiters = [];
  #log = [];
  #owned = [];
  #logFile = undefined;

  /** Keeps the socket and collects what it reads. */
  adopt(socket) {
    this.mark('adopt');
    this.#own(socket);
    socket.on('data', (chunk) => {
      this.#chunks.push(chunk);
      this.#bytes += chunk.length;
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
    return describe(socket);
  }

  /** Keeps both sockets and collects what the second one reads. */
  adoptSecond(first, socket) {
    this.#own(first);
    return this.adopt(socket);
  }

  /** Everything the adopted socket read, once at least `bytes` arrived. */
  async collected(bytes) {
    while (this.#bytes < bytes) await new Promise((resolve) => this.#waiters.push(resolve));
    return Buffer.concat(this.#chunks).toString('latin1');
  }

  /** Answers every connection of the server with this process's pid. */
  serve(server) {
    this.#own(server);
    server.on('connection', (socket) => socket.end(`hello from ${process.pid}`));
    return describe(server);
  }

  /** Answers every datagram with its text in upper case. */
  shout(socket) {
    this.#own(socket);
    socket.on('message', (text, from) => socket.send(text.toString().toUpperCase(), from.port, from.address));
    return describe(socket);
  }

  /** What each argument is, handles and values alike, in argument order. */
  describeAll(...args) {
    this.#log.push('describeAll');
    for (const arg of args) if (typeof arg === 'object' && arg !== null) this.#own(arg);
    return args.map(describe);
  }

  /** Three sockets and the call's AbortSignal. */
  takeThree(a, b, c, _signal) {
    this.#log.push('takeThree');
    for (const socket of [a, b, c]) this.#own(socket);
  }

  mark(label) {
    this.#log.push(label);
    if (this.#logFile !== undefined) appendFileSync(this.#logFile, `${label}\n`);
  }

  /** From now on, marks and the dispose are also appended to `file`, which outlives this process. */
  logTo(file) {
    this.#logFile = file;
  }

  /** With a log file, the dispose takes a while: what arrives meanwhile must not run. */
  async [Symbol.asyncDispose]() {
    if (this.#logFile === undefined) return;
    appendFileSync(this.#logFile, 'dispose\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }

  log() {
    return this.#log;
  }

  /** Blocks the event loop, so nothing (no handle either) is read meanwhile. */
  spin(ms) {
    const end = Date.now() + ms;
    while (Date.now() < end) {}
  }

  /** Closes this worker's IPC channel, as a worker's own code may. */
  disconnectIpc() {
    process.disconnect();
  }

  /** Spins for `ms`, then closes its IPC channel before reading anything the parent sent on it meanwhile. */
  spinThenDisconnect(ms) {
    this.spin(ms);
    process.disconnect();
  }

  exitNow(_socket) {
    process.exit(3);
  }

  /** `$sendHandle` lands here: a socket is echoed in upper case. */
  [onHandle](handle) {
    this.#log.push(`hook:${describe(handle).kind}`);
    this.#own(handle);
    if (handle instanceof net.Socket)
      handle.on('data', (chunk) => handle.write(chunk.toString().toUpperCase()));
  }

  /** Opens /dev/null until no file descriptor is left: a handle sent now cannot be taken in. */
  fillFds() {
    this.filled = [];
    for (;;) {
      try {
        this.filled.push(openSync('/dev/null', 'r'));
      } catch (error) {
        if (error.code === 'EMFILE') return this.filled.length;
        throw error;
      }
    }
  }

  freeFds() {
    for (const fd of this.filled.splice(0)) closeSync(fd);
    return 'freed';
  }

  /** Closes every handle this worker was given. */
  closeAll() {
    for (const handle of this.#owned.splice(0)) {
      if (handle instanceof net.Socket) handle.destroy();
      else handle.close();
    }
  }

  #own(handle) {
    this.#owned.push(handle);
  }
}

/** A worker with no [onHandle] hook. */
export class Hookless {
  ping() {
    return 'pong';
  }
}
