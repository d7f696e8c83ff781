// The hand-written calling end of the raw rows: an id -> promise map, as anyone wiring process.send by hand would.
// `decode` turns a result off the wire (the json row's base64 Buffers); identity otherwise.
export function rpcClient(post, decode = (r) => r) {
  const pending = new Map();
  let nextId = 0;
  return {
    call(m, a) {
      const i = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(i, { resolve, reject });
        post({ i, m, a });
      });
    },
    receive(message) {
      const waiter = pending.get(message.i);
      if (waiter === undefined) return;
      pending.delete(message.i);
      if ('e' in message) waiter.reject(new Error(message.e));
      else waiter.resolve(decode(message.r));
    },
    // A dead peer must reject what is pending, or the scenario would wait for its timeout.
    failAll(reason) {
      for (const waiter of pending.values()) waiter.reject(reason);
      pending.clear();
    },
  };
}
