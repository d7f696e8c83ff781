// The transport: tentative messages (sent before their check) are delivered only when confirmed, and a peer that
// breaks the verdict rules is refused.
import { describe, expect, it } from 'vitest';
import type { ByteChannel } from '../../runtime/channel.js';
import { jsonFrame, markTentative, Verdict, verdictFrame } from '../../runtime/frame.js';
import { Transport, type TransportError } from '../../runtime/transport.js';

/** Two byte channels joined back to back in memory, delivering each write on the next tick. */
function pair(): [ByteChannel & { written: number }, ByteChannel & { inject(bytes: Buffer): void }] {
  const ends = [0, 1].map(() => {
    let deliver: (chunk: Buffer) => void = () => {};
    return {
      written: 0,
      peer: undefined as unknown as { receive(chunk: Buffer): void },
      receive: (chunk: Buffer) => setImmediate(() => deliver(chunk)),
      write(chunks: readonly Uint8Array[]) {
        for (const chunk of chunks) {
          this.written += chunk.length;
          this.peer.receive(Buffer.from(chunk));
        }
      },
      onData(handler: (chunk: Buffer) => void) {
        deliver = handler;
      },
      inject(bytes: Buffer) {
        this.receive(bytes);
      },
      onClose() {},
      setRef() {},
    };
  });
  ends[0]!.peer = ends[1]!;
  ends[1]!.peer = ends[0]!;
  return [ends[0]!, ends[1]!];
}

function receiver(channel: ByteChannel) {
  const messages: unknown[] = [];
  const failures: string[] = [];
  new Transport<unknown, unknown>(channel, 1 << 20, {
    parse: (value) => value,
    message: (message) => messages.push(message),
    failure: (error: TransportError) => failures.push(error.message),
    close: () => {},
  });
  return { messages, failures };
}

/** A transport that only sends. */
function senderOn(channel: ByteChannel): Transport<unknown, unknown> {
  return new Transport<unknown, unknown>(channel, 1 << 20, {
    parse: (value) => value,
    message: () => {},
    failure: () => {},
    close: () => {},
  });
}

/** A sending transport and a receiving one, joined; `a` is the sender's channel. */
function linked() {
  const [a, b] = pair();
  return { a, sender: senderOn(a), got: receiver(b) };
}

const refuse = () => {
  throw new Error('refused');
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Plain objects `levels` deep. */
function nest(levels: number): object {
  let value: object = {};
  for (let i = 1; i < levels; i++) value = { value };
  return value;
}

describe('Transport.send', () => {
  it('writes with V8 a message whose JSON text would be longer than a string can be, and it arrives the same', async () => {
    const [a, b] = pair();
    const handlers = { parse: (value: unknown) => value, failure: () => {}, close: () => {} };
    const sender = new Transport<unknown, unknown>(a, 2 ** 30, { ...handlers, message: () => {} });
    const messages: unknown[] = [];
    new Transport<unknown, unknown>(b, 2 ** 30, { ...handlers, message: (m) => messages.push(m) });
    // Each control character takes six in JSON: 540 million, past V8's longest string.
    const text = '\u0001'.repeat(90_000_000);
    sender.send({ text }, true);
    sender.flush();
    expect(a.written).toBeLessThan(100_000_000);
    await tick();
    expect(messages).toHaveLength(1);
    expect((messages[0] as { text: string }).text === text).toBe(true);
  });
});

describe('Transport.sendThenCheck', () => {
  // 16 KiB and more: sent before the check, tentatively. Less: checked first, sent as any frame. Each holds a binary
  // view, which V8Writer leaves to the check (plain data it vouches for goes unchecked, see the last tests).
  const large = { s: 'x'.repeat(20_000), bytes: new Uint8Array(1) };
  const small = { n: 1, bytes: new Uint8Array(1) };
  // A JSON frame carries no binary view; in json mode a message is checked whatever it holds.
  const framed = (json: boolean) =>
    json ? { large: { s: large.s }, small: { n: small.n } } : { large, small };
  for (const json of [true, false]) {
    const { large, small } = framed(json);
    describe(json ? 'json' : 'v8', () => {
      it('sends a large message before its check and delivers it once the check passed', async () => {
        const { a, sender, got } = linked();
        let checked = false;
        sender.sendThenCheck(
          large,
          json,
          () => {
            expect(a.written).toBeGreaterThan(20_000);
            checked = true;
          },
          !json,
        );
        expect(checked).toBe(true);
        // The message, then its verdict.
        expect(a.written).toBeGreaterThan(20_005);
        await tick();
        expect(got.messages).toEqual([large]);
        expect(got.failures).toEqual([]);
      });

      it('retracts a large message when its check throws, and the link goes on', async () => {
        const { a, sender, got } = linked();
        expect(() => sender.sendThenCheck(large, json, refuse, !json)).toThrow('refused');
        expect(a.written).toBeGreaterThan(20_000);
        sender.send({ n: 2 }, json);
        await tick();
        expect(got.messages).toEqual([{ n: 2 }]);
        expect(got.failures).toEqual([]);
      });

      it('checks a small message first and sends nothing when the check throws', async () => {
        const { a, sender, got } = linked();
        expect(() => sender.sendThenCheck(small, json, refuse, !json)).toThrow('refused');
        sender.sendThenCheck(
          small,
          json,
          () => {
            expect(a.written).toBe(0);
            return undefined;
          },
          !json,
        );
        sender.flush();
        await tick();
        // Delivered without a verdict: the frame was not tentative.
        expect(got.messages).toEqual([small]);
        expect(got.failures).toEqual([]);
      });
    });
  }

  it('tells the check whether the message was encoded, which it was unless encoding failed', () => {
    const { sender } = linked();
    const heard: boolean[] = [];
    const hear = (encoded: boolean) => {
      heard.push(encoded);
      return undefined;
    };
    sender.sendThenCheck(large, false, hear, true);
    sender.sendThenCheck(small, false, hear, true);
    expect(() => sender.sendThenCheck({ f: () => 1 }, false, hear, true)).toThrow(/could not be cloned/);
    expect(heard).toEqual([true, true, false]);
  });

  for (const confirmed of [true, false]) {
    it(`sends what a check sends after the verdict (${confirmed ? 'confirmed' : 'retracted'})`, async () => {
      const { sender, got } = linked();
      const nested = { s: 'y'.repeat(20_000), bytes: new Uint8Array(1) };
      const send = () =>
        sender.sendThenCheck(
          large,
          false,
          () => {
            // As a getter of the value might: a message, and a large one checked in turn.
            sender.send({ n: 2 }, true);
            sender.sendThenCheck(nested, false, () => {}, true);
            if (!confirmed) refuse();
          },
          true,
        );
      if (confirmed) send();
      else expect(send).toThrow('refused');
      await tick();
      expect(got.messages).toEqual(confirmed ? [large, { n: 2 }, nested] : [{ n: 2 }, nested]);
      expect(got.failures).toEqual([]);
    });
  }

  it.each([
    ['large', { s: 'x'.repeat(20_000), m: new Map([[1, { d: new Date(0) }]]), n: [1n, -0, undefined] }],
    ['small', { n: 1, s: new Set(['a']) }],
  ])(
    'sends a %s message of plain data V8Writer vouched for without its check or a verdict',
    async (_, value) => {
      const { a, sender, got } = linked();
      const bytes = sender.sendThenCheck(value, false, refuse, true);
      sender.flush();
      // One frame: no verdict after it.
      expect(a.written).toBe(bytes);
      await tick();
      expect(got.messages).toEqual([value]);
      expect(got.failures).toEqual([]);
    },
  );

  it("checks a frame V8Writer vouched for where the check is json mode's, which refuses much V8 writes", () => {
    // In json mode a call with an undefined argument goes as V8, whose writer vouches for a Map: json mode refuses it.
    const { sender } = linked();
    const value = [{ s: 'x'.repeat(20_000), m: new Map([[1, 2]]) }, undefined];
    expect(() => sender.sendThenCheck(value, false, refuse, false)).toThrow('refused');
  });

  it.each([
    ['a symbol-keyed property', { [Symbol('k')]: 1 }],
    ['a symbol-keyed property of an array', Object.assign([1], { [Symbol('k')]: 1 })],
    ['a Map with a property of its own', Object.assign(new Map(), { note: 1 })],
    ['a Set with a symbol-keyed property', Object.assign(new Set(), { [Symbol('k')]: 1 })],
    ['a Date of a subclass', new (class Day extends Date {})(0)],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['a value nested 101 objects deep', nest(101)],
  ])('checks a message that holds %s, which V8Writer writes but does not vouch for', (_, inner) => {
    const { sender } = linked();
    let checked = 0;
    sender.sendThenCheck(
      { s: 'x'.repeat(20_000), deep: { inner } },
      false,
      () => {
        checked++;
        return undefined;
      },
      true,
    );
    expect(checked).toBe(1);
  });

  it('sends nothing when the value cannot be encoded, and throws what the check found first', () => {
    const [a, b] = pair();
    const sender = senderOn(a);
    receiver(b);
    const check = () => {
      throw new Error('args[0].f: a function cannot cross the process boundary');
    };
    expect(() => sender.sendThenCheck({ f: () => 1 }, false, check, true)).toThrow(
      /args\[0\]\.f: a function/,
    );
    expect(a.written).toBe(0);
  });

  it('refuses a verdict without a tentative frame, and a frame where a verdict was due', async () => {
    const [, b] = pair();
    const lone = receiver(b);
    b.inject(verdictFrame(Verdict.Confirm));
    await tick();
    expect(lone.failures).toEqual(['A verdict frame without a tentative one']);

    const [, d] = pair();
    const skipped = receiver(d);
    d.inject(Buffer.concat([markTentative(jsonFrame('1')), jsonFrame('2')]));
    await tick();
    expect(skipped.messages).toEqual([]);
    expect(skipped.failures).toEqual(['A frame where the verdict on a tentative one was due']);
  });
});
