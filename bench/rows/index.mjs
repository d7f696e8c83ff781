// The row registry: every implementation the bench compares, in table order. The first row is the ratio baseline.
import { birpcRow } from './birpc.mjs';
import { procxyAdvanced, procxyJson } from './procxy.mjs';
import { rawAdvanced, rawJson } from './raw-fork.mjs';
import { rawWorker } from './raw-worker.mjs';
import { workerpoolRow } from './workerpool.mjs';

// A row is { id, label, describe, start(): Promise<{ call(method, args), close() }> } plus, optionally,
// unavailable(): Promise<string | null> (a reason to print instead of numbers), scenarios: [ids it supports]
// and compareTo: the id of a mode-matched baseline, shown when it is not the main one.
export const rows = [rawJson, rawAdvanced, rawWorker, procxyJson, procxyAdvanced, birpcRow, workerpoolRow];

export const baselineId = rawJson.id;
