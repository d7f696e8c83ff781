// UnreadAnswers: which held callback answers a child went past, invoking again through its call without reading them.
import { describe, expect, it } from 'vitest';
import { invocationsPast, UnreadAnswers } from '../../runtime/unread-answers.js';

describe('UnreadAnswers', () => {
  it('counts an answer once its call invoked invocationsPast more times while it waits, and no more once taken', () => {
    const answers = new UnreadAnswers();
    let end = 0;
    const answer = (id: number, bytes: number) => {
      end += bytes;
      answers.answered(id, end, bytes, 0, true);
    };
    expect(answers.invoked(1, 0)).toBe(0);
    answer(1, 100);
    for (let k = 1; k < invocationsPast; k++) expect(answers.invoked(1, 0)).toBe(0);
    expect(answers.invoked(1, 0)).toBe(100);
    // The kernel took it: nothing is unread any more.
    expect(answers.invoked(1, 100)).toBe(0);
  });

  it('does not count answers of one call against another, however many times the other invokes', () => {
    const answers = new UnreadAnswers();
    answers.invoked(1, 0);
    answers.answered(1, 1000, 1000, 0, true);
    for (let k = 0; k < 10 * invocationsPast; k++) expect(answers.invoked(2, 0)).toBe(0);
  });

  it('leaves out answers the kernel took at once, and those of a call that is over', () => {
    const answers = new UnreadAnswers();
    answers.invoked(1, 0);
    answers.answered(1, 50, 50, 50, true);
    answers.invoked(2, 50);
    answers.answered(2, 80, 30, 50, true);
    answers.forget(2);
    for (let k = 0; k < 2 * invocationsPast; k++) {
      expect(answers.invoked(1, 50)).toBe(0);
      expect(answers.invoked(3, 50)).toBe(0);
    }
  });

  it('counts at once the answers to invocations of a call that is over, until the kernel takes them', () => {
    const answers = new UnreadAnswers();
    answers.invoked(3, 0);
    answers.answered(3, 40, 40, 0, false);
    expect(answers.invoked(4, 0)).toBe(40);
    expect(answers.invoked(4, 40)).toBe(0);
  });

  it('counts a loop that never reads: all but the answers of its last invocationsPast invocations', () => {
    const answers = new UnreadAnswers();
    let end = 0;
    for (let k = 0; k < 10_000; k++) {
      answers.invoked(7, 0);
      end += 10;
      answers.answered(7, end, 10, 0, true);
    }
    expect(answers.invoked(7, 0)).toBe((10_000 - invocationsPast + 1) * 10);
  });
});
