// The messages a link has sent that are still held in this process, not yet taken by the kernel.

/** Messages sent and not yet handed to the kernel, each known by where it ends in the stream (Transport.submitted). */
export class HeldMessages {
  /**
   * By where they end, in increasing order from #head on (those before it were dropped): a child that reads nothing
   * for a while leaves tens of thousands here, and each drop must cost what it drops, not what is held.
   */
  #held: { readonly end: number; readonly bytes: number }[] = [];
  #head = 0;
  #bytes = 0;

  add(end: number, bytes: number): void {
    const held = this.#held;
    // Answers come in the stream's order; an abort may name a message sent before others held already.
    let at = held.length;
    if (at > this.#head && held[at - 1]!.end > end) {
      let low = this.#head;
      while (low < at) {
        const middle = (low + at) >>> 1;
        if (held[middle]!.end > end) at = middle;
        else low = middle + 1;
      }
    }
    held.splice(at, 0, { end, bytes });
    this.#bytes += bytes;
  }

  /** Drops those the kernel has taken, `handed` bytes of the stream in all. */
  drop(handed: number): void {
    const held = this.#held;
    while (this.#head < held.length && held[this.#head]!.end <= handed)
      this.#bytes -= held[this.#head++]!.bytes;
    if (this.#head === held.length) {
      this.#held = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > held.length) {
      this.#held = held.slice(this.#head);
      this.#head = 0;
    }
  }

  get count(): number {
    return this.#held.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }
}
