// The no-build API: procxy(Class, modulePath, options, ...args) with no generate step; a thrown error arrives whole.
import { procxy } from 'procxy';
import { Inventory } from './worker.mjs';

const inventory = await procxy(
  Inventory,
  new URL('./worker.mjs', import.meta.url),
  { serialization: 'json' },
  { apple: 3, pear: 1 },
);
try {
  const pid = await inventory.pid();
  console.log(`worker pid ${pid} (this process is ${process.pid})`);
  console.log(`take apple 2 -> ${await inventory.take('apple', 2)} left`);
  try {
    await inventory.take('pear', 5);
    throw new Error('take(pear, 5) should have failed');
  } catch (error) {
    // The child's error, rebuilt in the parent: class name, message, own fields, cause chain and the child's stack.
    console.log(`caught ${error.name}: ${error.message}`);
    console.log(`  fields: sku=${error.sku} requested=${error.requested} available=${error.available}`);
    console.log(`  cause: ${error.cause?.name}: ${error.cause?.message}`);
    console.log(
      `  thrown at: ${error.stack
        .split('\n')
        .find((line) => line.includes('worker.mjs'))
        ?.trim()}`,
    );
    if (error.sku !== 'pear' || !(error.cause instanceof RangeError))
      throw new Error('the error lost its fields');
  }
  console.log(`pear count still ${await inventory.count('pear')}`);
  console.log('no-build: ok');
} finally {
  await inventory.$terminate();
}
