import { Greenlet, getcurrent } from '@stackless/greenlet';
import { AsyncLocalStorage } from 'node:async_hooks';
const main = getcurrent();
const storage = new AsyncLocalStorage();
const inStore = storage.run('greenlet store', () => new Greenlet(() => {
  let got = main.switch(storage.getStore());
  got = main.switch([got, storage.getStore()]);
  return [got, storage.getStore()];
}));
storage.enterWith('main store');
inStore.switch();
inStore.switch('v');
inStore.switch('last');
console.log('als phase done');
const parked = [];
for (let i = 0; i < Number(process.argv[2] ?? 10000); i++) {
  const g = new Greenlet(() => main.switch(i));
  g.switch();
  parked.push(g);
}
globalThis.gc?.();
console.log('parked', parked.length);
for (const g of parked) g.switch();
console.log('ok');
