// Which callback answers held for a child it went past without reading: the measure of a worker that never reads.
/*
 * A worker that invokes callbacks in a loop without awaiting them (a synchronous loop of progress reports) reads none
 * of their answers, which pile up in the parent; one that awaits them reads each before it invokes again. Held
 * answers alone cannot tell the two apart: calls that each await a large answer hold as many bytes here, waiting
 * their turn in the stream, as the kernel has not taken yet. What tells them apart is the call: one that awaits its
 * callbacks has at most as many invocations in flight as it has lanes (a Promise.all over callbacks), and goes past
 * at most that many of its answers, while a loop goes past all of them. So an answer counts as unread once its call
 * has invoked callbacks `invocationsPast` more times while the answer still waits here, or at once when it is sent
 * while its call has more than `lanesPerCall` invocations unanswered (the loop's answers come late, from async
 * callbacks); only those count towards the cap. A call given up on keeps its counts: the refusals its late
 * invocations get count as any answer does.
 */
import { HeldMessages } from './held-messages.js';

/** Invocations one call may have in flight at once (a Promise.all over callbacks) without counting as unread. */
export const lanesPerCall = 64;

/**
 * Invocations of its call after which a held answer counts as unread. Twice the lanes: an answer counts as held
 * until the write that holds it is done, and writes queued behind one in flight go out together, so an answer the
 * child has read may still look held while the lanes whose answers went before it and those whose answers share its
 * write all invoke again (2L - 1 at most).
 */
export const invocationsPast = 2 * lanesPerCall;

interface HeldAnswer {
  /** Where the answer ends in the stream (Transport.submitted after it). */
  readonly end: number;
  readonly bytes: number;
  /** How many invocations its call had made when it was sent. */
  readonly sentAt: number;
}

interface CallAnswers {
  invocations: number;
  answers: number;
  /** In the order sent, which is the order of `end` and of `sentAt` alike; those before `head` are done with. */
  held: HeldAnswer[];
  head: number;
}

export class UnreadAnswers {
  readonly #calls = new Map<number, CallAnswers>();
  readonly #unread = new HeldMessages();

  /** Call `id` invoked a callback; `handed` bytes of the stream are with the kernel. */
  invoked(id: number, handed: number): void {
    let call = this.#calls.get(id);
    if (call === undefined) {
      call = { invocations: 0, answers: 0, held: [], head: 0 };
      this.#calls.set(id, call);
    }
    call.invocations++;
    const held = call.held;
    while (call.head < held.length) {
      const answer = held[call.head]!;
      const waiting = answer.end > handed;
      if (waiting && answer.sentAt + invocationsPast > call.invocations) break;
      if (waiting) this.#unread.add(answer.end, answer.bytes);
      call.head++;
    }
    if (call.head === held.length) {
      call.held = [];
      call.head = 0;
    } else if (call.head > 1024 && call.head * 2 > held.length) {
      call.held = held.slice(call.head);
      call.head = 0;
    }
  }

  /** An answer to an invocation of call `id` went into the stream, ending at `end`, of which `handed` are taken. */
  answered(id: number, end: number, bytes: number, handed: number): void {
    const call = this.#calls.get(id);
    if (call === undefined) return;
    const unanswered = call.invocations - call.answers++;
    if (end <= handed) return;
    if (unanswered > lanesPerCall) return this.#unread.add(end, bytes);
    call.held.push({ end, bytes, sentAt: call.invocations });
  }

  /** The bytes of the answers the child went past that are still held here, `handed` bytes of the stream taken. */
  unread(handed: number): number {
    this.#unread.drop(handed);
    return this.#unread.bytes;
  }

  /** Call `id` is over for the child (it answered it while it was pending): nothing of it counts any more. */
  forget(id: number): void {
    this.#calls.delete(id);
  }
}
