// How the raw fork json row carries a Buffer: as a base64 string, the usual hand-written answer to json IPC.
// (Left to itself, JSON.stringify turns a Buffer into { type: 'Buffer', data: [ ...one number per byte ] }, about
// 3.6 bytes of text per byte, which the receiver gets as that plain object, not as a Buffer.)
const key = '$base64';

export function toWire(value) {
  return ArrayBuffer.isView(value)
    ? { [key]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
    : value;
}

export function fromWire(value) {
  return value !== null && typeof value === 'object' && typeof value[key] === 'string'
    ? Buffer.from(value[key], 'base64')
    : value;
}
