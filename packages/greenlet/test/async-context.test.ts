// AsyncLocalStorage context belongs to the greenlet that set it (the idea of
// Python greenlet's test_contextvars, with AsyncLocalStorage for contextvars).
import t from 'tap';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

const fixture = fixtureIn(import.meta.url);

checkGreenletsAfterEach(t);

t.test('a store set in one greenlet is not seen by others', (t) => {
  const main = getcurrent();
  const storage = new AsyncLocalStorage<string>();
  const seen: Array<string | undefined> = [];
  const a = new Greenlet(() => {
    storage.enterWith('a');
    main.switch();
    seen.push(storage.getStore());
  });
  const b = new Greenlet(() => {
    seen.push(storage.getStore());
    storage.enterWith('b');
    main.switch();
    seen.push(storage.getStore());
  });
  storage.run('main', () => {
    a.switch();
    seen.push(storage.getStore());
    b.switch();
    seen.push(storage.getStore());
    a.switch();
    b.switch();
    seen.push(storage.getStore());
  });
  // b was created outside any run(), so it starts with no store.
  t.same(seen, ['main', undefined, 'main', 'a', 'b', 'main']);
  t.end();
});

t.test('run() scopes survive switches inside them', (t) => {
  const main = getcurrent();
  const storage = new AsyncLocalStorage<number>();
  const log: Array<[string, number | undefined]> = [];
  const workers = [1, 2, 3].map(
    (n) =>
      new Greenlet(() =>
        storage.run(n, () => {
          for (let i = 0; i < 3; i++) {
            log.push([`worker ${n}`, storage.getStore()]);
            main.switch();
          }
        }),
      ),
  );
  for (let round = 0; round < 4; round++) {
    for (const worker of workers) worker.switch();
    log.push(['main', storage.getStore()]);
  }
  t.ok(log.every(([who, store]) => (who === 'main' ? store === undefined : who === `worker ${store}`)));
  t.equal(log.length, 13);
  t.end();
});

t.test('a new greenlet starts with the stores of the code that created it', (t) => {
  const storage = new AsyncLocalStorage<string>();
  const g = storage.run('creator', () => new Greenlet(() => storage.getStore()));
  t.equal(g.switch(), 'creator', 'started outside the run() scope, still sees its creator store');
  const h = new Greenlet(() => storage.getStore());
  t.equal(h.switch(), undefined);
  t.end();
});

t.test('several storages at once, and disable()', (t) => {
  const main = getcurrent();
  const user = new AsyncLocalStorage<string>();
  const request = new AsyncLocalStorage<number>();
  const g = new Greenlet(() => {
    user.enterWith('alice');
    request.enterWith(7);
    main.switch();
    return [user.getStore(), request.getStore()];
  });
  user.run('bob', () => {
    g.switch();
    t.same([user.getStore(), request.getStore()], ['bob', undefined]);
    t.same(g.switch(), ['alice', 7]);
  });
  request.disable();
  t.equal(request.getStore(), undefined);
  t.end();
});

t.test('a storage first used inside a greenlet, then disabled', (t) => {
  // In its own process: here storages have been used already. (null: undefined, through JSON.)
  const result = runChild(fixture('first-storage.mjs'));
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim()), {
    mainAfterG: null,
    gAfterMain: 'set in g',
    mainAfterSecond: 'set in main',
    earlyStarts: null,
    gAfterDisable: null,
    mainAtEnd: null,
  });
  t.end();
});

t.test('switching away inside an async scope is refused, not fatal', (t) => {
  const result = runChild(fixture('async-scope.mjs'));
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim()), {
    first: 'after scope',
    refused: true,
    fromMainScope: 'from main scope',
    idRestored: true,
    later: 'timers still run',
  });
  t.end();
});
