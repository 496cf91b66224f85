import { Greenlet, getcurrent } from '@stackless/greenlet';
import { AsyncLocalStorage } from 'node:async_hooks';
const main = getcurrent();
const mode = process.argv[3] ?? 'als';
if (mode === 'als') {
  const storage = new AsyncLocalStorage();
  const g = storage.run('s', () => new Greenlet(() => main.switch()));
  storage.enterWith('m');
  g.switch(); g.switch();
} else if (mode === 'als-unused') {
  const storage = new AsyncLocalStorage();
  storage.enterWith('m');
}
const parked = [];
for (let i = 0; i < Number(process.argv[2]); i++) { const g = new Greenlet(() => main.switch(i)); g.switch(); parked.push(g); }
for (const g of parked) g.switch();
console.log('ok');
