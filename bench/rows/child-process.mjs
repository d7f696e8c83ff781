// Shared plumbing for rows that fork a child: exit as an error, and a close that waits until the process is gone.
export function exitError(label, code, signal) {
  return new Error(`${label} child exited (code ${code}, signal ${signal}) with calls pending`);
}

export function waitForExit(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function killAndWait(child) {
  const exited = waitForExit(child);
  child.kill('SIGTERM');
  await exited;
}
