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
}

export class Plain {
  on(event) {
    return `plain on ${event}`;
  }
}
