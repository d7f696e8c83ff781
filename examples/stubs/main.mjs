// Runs app.ts, a typed program on the stubs `procxy generate` wrote for examples/hello and examples/calc.
import { runTypedApp } from '../typed-app.mjs';

await runTypedApp('stubs/app.ts', ['hello/greeter', 'calc/calculator']);
