// The row registry: every implementation the bench compares, in table order. The first row is the ratio baseline.
import { birpcRow } from './birpc.mjs';
import { procxyAdvanced, procxyAdvancedTransfer, procxyJson } from './procxy.mjs';
import { procxyStub } from './procxy-stub.mjs';
import { rawAdvanced, rawJson } from './raw-fork.mjs';
import { rawPipe } from './raw-pipe.mjs';
import { rawWorker, rawWorkerTransfer } from './raw-worker.mjs';
import { workerpoolRow } from './workerpool.mjs';

// A row is { id, label, describe, start(): Promise<{ call(method, args), close() }> } plus, optionally,
// unavailable(): Promise<string | null> (a reason to print instead of numbers), scenarios: [ids it measures]
// (default all), cannot: { [scenario id]: why it cannot carry that payload } (shown as n/a), transfers: true (it
// moves, so detaches, the binaries it sends: each call gets a fresh copy), compareTo: the id of a mode-matched
// baseline, shown when it is not the main one, and extraNotes(): [strings] for the report.
export const rows = [
  rawJson,
  rawAdvanced,
  rawWorker,
  rawWorkerTransfer,
  rawPipe,
  procxyJson,
  procxyAdvanced,
  procxyAdvancedTransfer,
  procxyStub,
  birpcRow,
  workerpoolRow,
];

export const baselineId = rawJson.id;
