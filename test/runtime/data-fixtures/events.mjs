// An EventEmitter worker: emits on demand and reports how many listeners the runtime attached.
import { EventEmitter } from 'node:events';

export class Ticker extends EventEmitter {
  emitNow(event, ...args) {
    return this.emit(event, ...args);
  }

  tick(count) {
    for (let i = 0; i < count; i++) this.emit('tick', i);
    return count;
  }

  attached(event) {
    return this.listenerCount(event);
  }

  /** Takes every listener off, of all events or of `event`. */
  removeAll(event) {
    if (event === undefined) this.removeAllListeners();
    else this.removeAllListeners(event);
  }

  /** Takes the listeners of `event` off, then emits it at once. */
  removeAllThenEmit(event, ...args) {
    this.removeAllListeners(event);
    return this.emit(event, ...args);
  }

  emitFunction() {
    this.emit('bad', () => 1);
    this.emit('good', 'after');
  }

  emitBuffer(size) {
    this.emit('buffer', Buffer.alloc(size, 9));
  }

  emitDate() {
    this.emit('when', new Date(0));
  }

  /** Emits `error` with an Error whose `cause` getter throws: emit must not throw because of procxy. */
  emitUnreadableError() {
    const error = new Error('bad');
    Object.defineProperty(error, 'cause', {
      get() {
        throw new Error('cause getter');
      },
    });
    return this.emit('error', error);
  }

  /** Emits `data` with an object whose getter throws; says whether emit threw. */
  emitThrowingGetter() {
    const payload = {};
    Object.defineProperty(payload, 'x', {
      enumerable: true,
      get() {
        throw new Error('getter failed');
      },
    });
    try {
      return this.emit('data', payload);
    } catch (error) {
      return `threw: ${error.message}`;
    }
  }

  /** Emits `error` twice; returns whether each emit was heard here (Node throws for an `error` nobody hears). */
  errorTwice() {
    return [this.emit('error', new Error('e1')), this.emit('error', new Error('e2'))];
  }

  /** Emits `error` with a custom Error (a field, a cause) between two other arguments. */
  emitError() {
    const error = new QuotaError('disk full', 'ENOSPC', new Error('write failed'));
    this.emit('error', 'volume-1', error, 3);
  }
}

class QuotaError extends RangeError {
  constructor(message, code, cause) {
    super(message, { cause });
    this.name = 'QuotaError';
    this.code = code;
    this.limit = 10n;
  }
}

/** Refuses, in its own `on`, events it does not know; its own 'newListener' listener refuses listeners of 'refused'. */
export class Strict extends EventEmitter {
  constructor() {
    super();
    super.on('newListener', (event) => {
      if (event === 'refused') throw new Error('no listeners of refused');
    });
  }

  on(event, listener) {
    if (event !== 'known') throw new TypeError(`unknown event ${event}`);
    return super.on(event, listener);
  }

  emitNow(event, ...args) {
    return this.emit(event, ...args);
  }
}

export class Plain {
  on(event) {
    return `plain on ${event}`;
  }
}
