// The stateful example's worker: a long-lived EventEmitter that keeps an index, reports progress and can be cancelled.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export class Indexer extends EventEmitter {
  #words = new Map();
  #documents = 0;

  /** Indexes the documents one by one; `onProgress(done, total)` after each; stops when `signal` aborts. */
  async index(documents, onProgress, signal) {
    for (const [i, text] of documents.entries()) {
      signal?.throwIfAborted();
      for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        this.#words.set(word, (this.#words.get(word) ?? 0) + 1);
      }
      this.#documents++;
      onProgress(i + 1, documents.length);
      this.emit('indexed', { documents: this.#documents, words: this.#words.size });
      // Stands for real work per document, so that a cancellation can arrive mid-way.
      await sleep(20, undefined, { signal });
    }
    return this.#documents;
  }

  top(n) {
    return [...this.#words].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  }

  stats() {
    return { documents: this.#documents, words: this.#words.size };
  }
}
