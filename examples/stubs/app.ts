// A typed program using the stubs `procxy generate` wrote for examples/hello and examples/calc (exact types, no `any`).
import { spawnCalculator } from '../calc/calculator.procxy.js';
import { spawnGreeter } from '../hello/greeter.procxy.js';

await using greeter = await spawnGreeter(undefined, 'Hi');
await using calc = await spawnCalculator();

const greeting: string = await greeter.greet('Ada', 'excited');
console.log(`greet: ${greeting} (from pid ${await greeter.pid()}, this process is ${process.pid})`);
console.log(`greetAll: ${(await greeter.greetAll('Grace', 'Linus')).join(' ')}`);

const sum: number = await calc.add(2, 3);
const joined: string = await calc.add('pro', 'cxy');
const stats = await calc.stats([1, 2, 3, 4]);
console.log(
  `add: ${sum} and '${joined}'; stats: ${JSON.stringify(stats)}; calls served: ${await calc.calls()}`,
);
if (greeting !== 'Hi, Ada!' || sum !== 5 || joined !== 'procxy' || stats?.mean !== 2.5) {
  throw new Error('a generated stub answered wrongly');
}
console.log('stubs: ok');
