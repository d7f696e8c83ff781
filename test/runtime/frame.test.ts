// The frame decoder: whole, split and merged frames, and every malformed header refused.
import { describe, expect, it } from 'vitest';
import {
  Codec,
  FrameDecoder,
  FrameError,
  frameHeader,
  jsonFrame,
  markTentative,
  Verdict,
  verdictFrame,
} from '../../runtime/frame.js';

function collect(max = 1024) {
  const frames: [number, string, ...string[]][] = [];
  const owned: boolean[] = [];
  const decoder = new FrameDecoder(
    () => max,
    (codec, bytes, start, end, segments) => {
      frames.push([codec, bytes.toString('utf8', start, end), ...segments.map((s) => s.toString())]);
      owned.push(...segments.map((s) => s.byteOffset === 0 && s.buffer.byteLength === s.length));
    },
  );
  return { frames, decoder, owned };
}

function segmented(body: string, segments: string[]): Buffer {
  const parts = segments.map((s) => Buffer.from(s));
  return Buffer.concat([
    frameHeader(
      Codec.V8,
      Buffer.byteLength(body),
      parts.map((p) => p.length),
    ),
    Buffer.from(body),
    ...parts,
  ]);
}

describe('FrameDecoder', () => {
  it('decodes frames however the stream cuts them', () => {
    const bytes = Buffer.concat([
      jsonFrame('{"a":1}'),
      jsonFrame('"é"'),
      frameHeader(Codec.V8, 3),
      Buffer.from('xyz'),
    ]);
    for (const size of [1, 2, 3, 5, 7, bytes.length]) {
      const { frames, decoder } = collect();
      for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size));
      expect(frames).toEqual([
        [Codec.Json, '{"a":1}'],
        [Codec.Json, '"é"'],
        [Codec.V8, 'xyz'],
      ]);
    }
  });

  it('waits for the rest of a frame without delivering anything', () => {
    const { frames, decoder } = collect();
    const frame = jsonFrame('[1,2,3]');
    decoder.push(frame.subarray(0, frame.length - 1));
    expect(frames).toEqual([]);
    decoder.push(frame.subarray(frame.length - 1));
    expect(frames).toEqual([[Codec.Json, '[1,2,3]']]);
  });

  it('decodes frames with segments however the stream cuts them, each segment in memory of its own', () => {
    const bytes = Buffer.concat([
      segmented('body', ['first', 'second!']),
      jsonFrame('1'),
      segmented('', ['x']),
    ]);
    for (let size = 1; size <= bytes.length; size++) {
      const { frames, decoder, owned } = collect();
      for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size));
      expect(frames).toEqual([
        [Codec.V8, 'body', 'first', 'second!'],
        [Codec.Json, '1'],
        [Codec.V8, '', 'x'],
      ]);
      expect(owned).toEqual([true, true, true]);
    }
  });

  it('decodes reads into the memory it supplies, writing large segments in place and keeping nothing in scratch', () => {
    const big = 'x'.repeat(100_000);
    const bytes = Buffer.concat([
      jsonFrame('"a"'),
      segmented('body', [big, 'tail']),
      segmented('v8', ['s']),
      jsonFrame('[2]'),
    ]);
    for (const size of [1, 7, 4096, 70_000, bytes.length]) {
      const frames: string[][] = [];
      const decoder = new FrameDecoder(
        () => 1 << 30,
        (codec, b, start, end, segments) =>
          frames.push([String(codec), b.toString('utf8', start, end), ...segments.map((x) => x.toString())]),
      );
      let at = 0;
      let direct = 0;
      // Nothing is being filled at first, so the first target is the scratch memory.
      const scratch = decoder.readTarget().buffer;
      while (at < bytes.length) {
        const target = decoder.readTarget();
        const n = Math.min(size, target.length, bytes.length - at);
        bytes.copy(target, 0, at, at + n);
        at += n;
        if (target.buffer !== scratch) direct += n;
        decoder.commit(target, n);
        // The next read reuses scratch memory: scribble over it to prove nothing decoded still points there.
        if (target.buffer === scratch) target.fill(0x7a);
      }
      expect(frames.map((f) => f.map((x) => (x.length > 20 ? `${x.length} bytes` : x)))).toEqual([
        ['1', '"a"'],
        ['2', 'body', '100000 bytes', 'tail'],
        ['2', 'v8', 's'],
        ['1', '[2]'],
      ]);
      expect(frames[1]![2]).toBe(big);
      // Whatever the first scratch read did not carry of the 100 kB segment is read in place.
      if (size >= 4096) expect(direct).toBeGreaterThan(30_000);
    }
  });

  it.each([
    ['a segment count of zero', Buffer.from([5, 0, 0, 0, 0x82, 0, 0, 0, 0]), /bad segment count/],
    [
      'a segment table longer than the frame',
      Buffer.from([5, 0, 0, 0, 0x82, 9, 0, 0, 0]),
      /bad segment count/,
    ],
    [
      'segments longer than the frame',
      Buffer.from([9, 0, 0, 0, 0x82, 1, 0, 0, 0, 99, 0, 0, 0]),
      /segments longer than the frame/,
    ],
  ])('refuses %s', (_, bytes, message) => {
    const { decoder } = collect();
    expect(() => decoder.push(bytes)).toThrow(message);
  });

  it.each([
    ['a zero length', Buffer.from([0, 0, 0, 0, 1]), /zero length/, false],
    ['an unknown codec', Buffer.from([2, 0, 0, 0, 9, 0]), /unknown codec 9/, false],
    [
      'a length over the cap',
      Buffer.from([0xff, 0xff, 0xff, 0x7f, 1]),
      /exceeds maxMessageBytes \(1024\)/,
      true,
    ],
  ])('refuses %s and then all further input', (_, bytes, message, tooLarge) => {
    const { frames, decoder } = collect();
    let error: unknown;
    try {
      decoder.push(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).message).toMatch(message);
    expect((error as FrameError).tooLarge).toBe(tooLarge);
    decoder.push(jsonFrame('1'));
    expect(frames).toEqual([]);
  });

  it('says which frames are tentative, and delivers verdicts with an empty body, however the stream cuts them', () => {
    const body = 'x'.repeat(40);
    const bytes = Buffer.concat([
      markTentative(jsonFrame('1')),
      verdictFrame(Verdict.Confirm),
      markTentative(frameHeader(Codec.V8, body.length, [5])),
      Buffer.from(body),
      Buffer.from('seg01'),
      verdictFrame(Verdict.Retract),
      jsonFrame('2'),
    ]);
    for (const size of [1, 3, 8, bytes.length]) {
      const seen: [number, string, boolean][] = [];
      const decoder = new FrameDecoder(
        () => 1024,
        (kind, frame, start, end, _segments, tentative) => {
          seen.push([kind, frame.toString('utf8', start, end), tentative]);
        },
      );
      for (let i = 0; i < bytes.length; i += size) decoder.push(bytes.subarray(i, i + size));
      expect(seen).toEqual([
        [Codec.Json, '1', true],
        [Verdict.Confirm, '', false],
        [Codec.V8, body, true],
        [Verdict.Retract, '', false],
        [Codec.Json, '2', false],
      ]);
    }
  });

  it.each([
    ['a verdict with a body', Buffer.from([2, 0, 0, 0, Verdict.Confirm, 0])],
    ['a tentative verdict', Buffer.from([1, 0, 0, 0, Verdict.Retract | 0x40])],
  ])('refuses %s', (_, bytes) => {
    const { decoder } = collect();
    expect(() => decoder.push(bytes)).toThrow(/a verdict with a body or flags/);
  });
});
