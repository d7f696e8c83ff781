// UnreadAnswers: which held callback answers a child went past, invoking again through its call without reading them.
import { describe, expect, it } from 'vitest';
import { invocationsPast, lanesPerCall, UnreadAnswers } from '../../runtime/unread-answers.js';

/** A link's stream as far as the answers go: each answer ends where the last one did, plus its bytes. */
function stream(answers: UnreadAnswers) {
  let end = 0;
  return (id: number, bytes: number, handed = 0) => {
    end += bytes;
    answers.answered(id, end, bytes, handed);
    return end;
  };
}

describe('UnreadAnswers', () => {
  it('counts an answer once its call invoked invocationsPast more times while it waits, and no more once taken', () => {
    const answers = new UnreadAnswers();
    const answer = stream(answers);
    answers.invoked(1, 0);
    const end = answer(1, 100);
    for (let k = 1; k < invocationsPast; k++) answers.invoked(1, 0);
    expect(answers.unread(0)).toBe(0);
    answers.invoked(1, 0);
    expect(answers.unread(0)).toBe(100);
    // The kernel took it: nothing is unread any more.
    expect(answers.unread(end)).toBe(0);
  });

  it('does not count answers of one call against another, however many times the other invokes', () => {
    const answers = new UnreadAnswers();
    const answer = stream(answers);
    answers.invoked(1, 0);
    answer(1, 1000);
    for (let k = 0; k < 10 * invocationsPast; k++) {
      answers.invoked(2, 0);
      answer(2, 10, Number.MAX_SAFE_INTEGER);
    }
    expect(answers.unread(0)).toBe(0);
  });

  it('leaves out answers the kernel took at once, and those of a call that is over', () => {
    const answers = new UnreadAnswers();
    answers.invoked(1, 0);
    answers.answered(1, 50, 50, 50);
    answers.invoked(2, 50);
    answers.answered(2, 80, 30, 50);
    answers.forget(2);
    for (let k = 0; k < 2 * invocationsPast; k++) {
      answers.invoked(1, 50);
      answers.invoked(3, 50);
    }
    expect(answers.unread(50)).toBe(0);
  });

  it('counts a loop that never reads: all but the answers of its last invocationsPast invocations', () => {
    const answers = new UnreadAnswers();
    const answer = stream(answers);
    for (let k = 0; k < 10_000; k++) {
      answers.invoked(7, 0);
      answer(7, 10);
    }
    answers.invoked(7, 0);
    expect(answers.unread(0)).toBe((10_000 - invocationsPast + 1) * 10);
  });

  it('counts at once an answer sent while its call has more than lanesPerCall invocations unanswered', () => {
    const answers = new UnreadAnswers();
    const answer = stream(answers);
    // A loop of invocations first, whose answers come later (an async callback): the call went past them all.
    for (let k = 0; k < lanesPerCall + 10; k++) answers.invoked(5, 0);
    for (let k = 0; k < 10; k++) answer(5, 7);
    expect(answers.unread(0)).toBe(70);
    // The last lanesPerCall of them are what lanes awaiting their answers would hold.
    for (let k = 0; k < lanesPerCall; k++) answer(5, 7);
    expect(answers.unread(0)).toBe(70);
  });
});
