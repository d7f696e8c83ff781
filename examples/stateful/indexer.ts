// The stateful example's worker: a long-lived EventEmitter that keeps an index, reports progress and can be cancelled.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface IndexStats {
  readonly documents: number;
  readonly words: number;
}

/** The events an Indexer emits; the generated stub types its listeners from this map. */
export interface IndexerEvents {
  indexed: [stats: IndexStats];
}

/** Counts words across calls; one instance lives as long as its child process. */
export class Indexer extends EventEmitter<IndexerEvents> {
  readonly #words = new Map<string, number>();
  #documents = 0;

  /** Indexes the documents one by one, calls `onProgress(done, total)` after each, stops when `signal` aborts. */
  async index(
    documents: readonly string[],
    onProgress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    for (const [i, text] of documents.entries()) {
      signal?.throwIfAborted();
      for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        this.#words.set(word, (this.#words.get(word) ?? 0) + 1);
      }
      this.#documents++;
      onProgress(i + 1, documents.length);
      this.emit('indexed', this.stats());
      // Stands for real work per document, so that a cancellation can arrive mid-way.
      await sleep(20, undefined, { signal });
    }
    return this.#documents;
  }

  /** The `n` most frequent words as [word, count], most frequent first. */
  top(n: number): [string, number][] {
    return [...this.#words].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  }

  stats(): IndexStats {
    return { documents: this.#documents, words: this.#words.size };
  }
}
