// bigint and Map across the boundary in advanced mode: exact totals past 2^53 computed in a child process.
import { procxy } from 'procxy';
import { Ledger } from './stats.mjs';

const ledger = await procxy(Ledger, new URL('./stats.mjs', import.meta.url), { serialization: 'advanced' });
try {
  const big = 2n ** 62n;
  const entries = [];
  for (let i = 0; i < 3000; i++) entries.push([`acct-${i % 3}`, big + BigInt(i)]);
  let expected = 0n;
  for (const [, amount] of entries) expected += amount;

  console.log(`accounts: ${await ledger.record(entries)}`);
  const { perAccount, grand } = await ledger.totals();
  if (!(perAccount instanceof Map) || typeof grand !== 'bigint') throw new Error('types did not survive');
  for (const [account, total] of perAccount) console.log(`${account}: ${total}`);
  console.log(
    `grand total ${grand} (exact: ${grand === expected}; as a Number it would be ${Number(grand)})`,
  );
  if (grand !== expected) throw new Error('the grand total is wrong');

  // JSON mode has no bigint: the same value is refused before it leaves, naming where it was.
  const json = await procxy(Ledger, new URL('./stats.mjs', import.meta.url), { serialization: 'json' });
  try {
    await json.record([['acct', 1n]]);
    throw new Error('json mode accepted a bigint');
  } catch (error) {
    console.log(`json mode refuses it: ${error.name}: ${error.message}`);
  } finally {
    await json.$terminate();
  }
  console.log('analytics: ok');
} finally {
  await ledger.$terminate();
}
