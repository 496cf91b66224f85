// A tasklet runs with the AsyncLocalStorage stores of the code that created
// it, as a promise or a timer captures its creator's context (docs/greenlet.md,
// "AsyncLocalStorage belongs to the greenlet"), whoever starts it and whatever
// stores are in use by then. Each case runs in a fresh process: whether any
// storage has been used yet is per process, and the first use must come at
// the point the case says.
import t from 'tap';
import { spawnSync } from 'node:child_process';

const entry = new URL('../dist/index.js', import.meta.url).href;

function runProgram(body: string): unknown {
  const program = `
    import { AsyncLocalStorage } from 'node:async_hooks';
    const { run, tasklet, Tasklet } = await import(${JSON.stringify(entry)});
    const storage = new AsyncLocalStorage();
    const seen = [];
    ${body}
    console.log(JSON.stringify(seen));
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], { encoding: 'utf8', timeout: 60_000 });
  if (child.status !== 0) throw new Error(`child failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

t.test('created before any storage is in use, started inside a store: it sees no store', (t) => {
  const seen = runProgram(`
    tasklet(() => seen.push(storage.getStore() ?? null))();
    storage.run('starter', () => run());
  `);
  t.same(seen, [null]);
  t.end();
});

t.test("created inside a store, started outside it: it sees its creator's store", (t) => {
  const seen = runProgram(`
    storage.run('creator', () => tasklet(() => seen.push(storage.getStore() ?? null))());
    run();
  `);
  t.same(seen, ['creator']);
  t.end();
});

t.test('bound before any storage is in use and set up inside a store: the binding counts', (t) => {
  // new Tasklet(fn) binds the function; setup() binds the arguments later.
  const seen = runProgram(`
    const late = new Tasklet((tag) => seen.push([tag, storage.getStore() ?? null]));
    storage.run('setup', () => late.setup('late'));
    storage.run('other', () => tasklet((tag) => seen.push([tag, storage.getStore() ?? null]))('other'));
    run();
  `);
  t.same(seen, [['late', null], ['other', 'other']]);
  t.end();
});

t.test("many tasklets created before their turn each keep their own creator's store", (t) => {
  const seen = runProgram(`
    for (let i = 0; i < 5; i++) {
      if (i % 2 === 0) tasklet(() => seen.push(storage.getStore() ?? null))();
      else storage.run('s' + i, () => tasklet(() => seen.push(storage.getStore() ?? null))());
    }
    storage.run('runner', () => run());
  `);
  t.same(seen, [null, 's1', null, 's3', null]);
  t.end();
});
