// Rows "raw fork json" and "raw fork advanced": child_process.fork + process.send with a hand-written id map.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fromWire, toWire } from '../workers/base64.mjs';
import { exitError, killAndWait } from './child-process.mjs';
import { rpcClient } from './rpc-client.mjs';

const childPath = fileURLToPath(new URL('../workers/raw-fork-child.mjs', import.meta.url));
const anyBinary = (args) => args.some((a) => ArrayBuffer.isView(a));

function rawForkRow(serialization) {
  const json = serialization === 'json';
  return {
    id: `raw-${serialization}`,
    label: `raw fork ${serialization}`,
    ...(json ? { cannot: { 'S4-advanced': 'JSON has no Map, Set, bigint or Date' } } : {}),
    describe: `child_process.fork(script, { serialization: '${serialization}' }); the parent sends {i, m, a} with child.send, the child answers {i, r} with process.send; an id -> promise map on the parent side; no validation, no timeouts${json ? `. Buffers (S3) travel as { $base64: string } both ways, encoded and decoded by hand on each side: JSON.stringify alone would turn a Buffer into { type: 'Buffer', data: [one number per byte] } (about 3.6 bytes of text per byte) and the receiver would get that plain object` : '; a Buffer travels inside the V8 message and arrives as a Buffer'}`,
    async start() {
      const child = fork(childPath, json ? ['--base64'] : [], { serialization });
      const client = json
        ? rpcClient((message) => child.send(message), fromWire)
        : rpcClient((message) => child.send(message));
      child.on('message', (message) => client.receive(message));
      child.once('exit', (code, signal) => client.failAll(exitError(this.label, code, signal)));
      return {
        call: json ? (m, a) => client.call(m, anyBinary(a) ? a.map(toWire) : a) : (m, a) => client.call(m, a),
        close: () => killAndWait(child),
      };
    },
  };
}

export const rawJson = rawForkRow('json');
export const rawAdvanced = rawForkRow('advanced');
