// Shared plumbing for rows that fork a child: exit as an error, a close that waits until the process is gone, and
// what a peer speaking JSON over Node's IPC cannot carry.
export function exitError(label, code, signal) {
  return new Error(`${label} child exited (code ${code}, signal ${signal}) with calls pending`);
}

function waitForExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function killAndWait(child) {
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  await exited;
}

// What a peer that speaks JSON over Node's IPC cannot carry: a Buffer arrives as { type: 'Buffer', data: [numbers] }.
const noBuffer = 'JSON over fork IPC: a Buffer arrives as { type, data: [numbers] }, not a Buffer';
export const jsonIpcCannot = {
  'S3-1MiB': noBuffer,
  'S3-1MiB-echo': noBuffer,
  'S3-10MiB': noBuffer,
  'S3-10MiB-echo': noBuffer,
  'S4-advanced': 'JSON has no Map, Set, bigint or Date',
};
