// The byte channels under a transport, on real fds: a verdict already waiting when its message is decoded is read
// at once, not a turn of the event loop later, frames around it keep their order, and draining stops in time.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ByteChannel, drainFd, fdChannel, socketChannel } from '../../runtime/channel.js';
import { jsonFrame, markTentative, Verdict, verdictFrame } from '../../runtime/frame.js';
import { Transport } from '../../runtime/transport.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const fdOf = (socket: Socket) => (socket as unknown as { _handle: { fd: number } })._handle.fd;

/** A connected pair of Unix sockets: the channel reads and writes `ours`, the test writes to `theirs`' fd. */
async function socketPair(): Promise<{ channel: ByteChannel; writeFd: number; ours: Socket }> {
  const dir = mkdtempSync(join(tmpdir(), 'procxy-channel-'));
  const path = join(dir, 's');
  const server: Server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const ours = new Socket();
  await new Promise<void>((resolve) => ours.connect(path, resolve));
  const theirs = await accepted;
  cleanups.push(() => {
    ours.destroy();
    theirs.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Only the fd writes to it, so the socket must not read what the channel writes back.
  theirs.pause();
  return { channel: socketChannel(ours, ours), writeFd: fdOf(theirs), ours };
}

/** A FIFO read through fdChannel (as a child reads its input) and written by the test. */
function fifo(): { channel: ByteChannel; writeFd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'procxy-channel-'));
  const path = join(dir, 'f');
  execFileSync('mkfifo', [path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY);
  const devNull = openSync('/dev/null', 'w');
  const channel = fdChannel(readFd, devNull);
  cleanups.push(() => {
    channel.setRef(false);
    closeSync(writeFd);
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  });
  return { channel, writeFd };
}

/**
 * Writes a tentative frame; while the receiver decodes it, its verdict (and one more frame) is written. Returns
 * the order in which the messages and a tick queued at that moment arrived.
 */
async function verdictWhileDecoding({ channel, writeFd }: { channel: ByteChannel; writeFd: number }) {
  const events: unknown[] = [];
  const done = new Promise<void>((resolve) => {
    new Transport<unknown, unknown>(channel, 1 << 20, {
      parse: (value) => {
        if (value === 1) {
          writeSync(writeFd, Buffer.concat([verdictFrame(Verdict.Confirm), jsonFrame('2')]));
          process.nextTick(() => events.push('tick'));
        }
        return value;
      },
      message: (message) => {
        events.push(message);
        if (message === 2) setImmediate(resolve);
      },
      failure: (error) => events.push(error.message),
      close: () => {},
    });
  });
  writeSync(writeFd, markTentative(jsonFrame('1')));
  await done;
  return events;
}

describe('byte channels', () => {
  it('socketChannel reads a verdict that arrived while its message was decoded at once', async () => {
    expect(await verdictWhileDecoding(await socketPair())).toEqual([1, 2, 'tick']);
  });

  it('fdChannel reads a verdict that arrived while its message was decoded at once', async () => {
    expect(await verdictWhileDecoding(fifo())).toEqual([1, 2, 'tick']);
  });

  it('drains a bounded number of reads at a time, so a peer that never stops sending cannot hold the event loop', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procxy-channel-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'endless');
    // A file always has the next 64 KiB ready, as a socket has for a peer that keeps writing.
    writeFileSync(path, Buffer.alloc(200 * 64 * 1024));
    const fd = openSync(path, 'r');
    cleanups.push(() => closeSync(fd));
    const into = Buffer.alloc(64 * 1024);
    let reads = 0;
    drainFd(fd, { target: () => into, committed: () => reads++ }, () => false);
    expect(reads).toBe(64);
  });

  it('socketChannel never writes to the number of an fd its stream has closed', async () => {
    const { channel, ours } = await socketPair();
    const closed = fdOf(ours);
    ours.destroy();
    const dir = mkdtempSync(join(tmpdir(), 'procxy-channel-'));
    const path = join(dir, 'bystander');
    writeFileSync(path, '');
    // The next files opened get the lowest free numbers: one of them is the socket's old one.
    const opened: number[] = [];
    cleanups.push(() => {
      for (const fd of opened) closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    });
    while (!opened.includes(closed) && opened.length < 32) opened.push(openSync(path, 'w'));
    expect(opened).toContain(closed);
    channel.write([Buffer.from('a frame for the child')], 21);
    channel.write([Buffer.alloc(100 * 1024, 1)], 100 * 1024, new Set());
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
