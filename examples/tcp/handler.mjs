// The TCP example's worker: owns the sockets handed to it and answers each line of a connection.
export class Handler {
  #served = 0;

  /** Takes over a connection: every line `n` the client sends gets `<pid> <n*n>` back; resolves once attached. */
  adopt(socket) {
    this.#served++;
    socket.setEncoding('utf8');
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk;
      let end = pending.indexOf('\n');
      while (end !== -1) {
        const n = Number(pending.slice(0, end));
        pending = pending.slice(end + 1);
        socket.write(`${process.pid} ${n * n}\n`);
        end = pending.indexOf('\n');
      }
    });
    socket.on('error', () => socket.destroy());
    socket.resume();
  }

  served() {
    return this.#served;
  }
}
