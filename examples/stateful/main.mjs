// Runs app.ts: a long-lived worker through its generated stub, with typed events, progress and cancellation.
import { runTypedApp } from '../typed-app.mjs';

await runTypedApp('stateful/app.ts', ['stateful/indexer']);
