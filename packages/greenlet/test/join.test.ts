// V8 keeps one cycle-detection stack for Array.prototype.join per context,
// shared by all greenlets: a greenlet suspended inside a join made every other
// join of that array (and of arrays containing it) return "" (issue 14, item
// 5). The core refuses such a switch with a GreenletError instead.
import t from 'tap';
import { diagnostics } from '@stackless/native';
import { Greenlet, getcurrent } from '@stackless/greenlet';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';
import { checkGreenletsAfterEach } from '@stackless/test-support/greenlets';

const fixture = fixtureIn(import.meta.url);

checkGreenletsAfterEach(t);

const main = getcurrent();
const refusal = { name: 'GreenletError', message: /cannot switch greenlets inside Array\.prototype\.join/ };

t.test('the core found the join stack at load', (t) => {
  t.same(diagnostics.joinStack(), { status: 'on', reason: '', entries: 0 });
  t.end();
});

t.test('a greenlet cannot suspend inside a join; other joins of the array stay right', (t) => {
  const switching = { toString: () => String(main.switch('suspended in join')) };
  const array = [1, switching, 3];
  const nesting = [array, 'tail'];
  const g = new Greenlet(() => array.join('-'));
  t.throws(() => g.switch(), refusal, 'the switch out of the join throws, in the greenlet, and reaches its parent');
  t.ok(g.dead, 'the greenlet ended with the error');
  t.equal(diagnostics.joinStack().entries, 0, 'the join stack is empty again');
  t.equal(new Greenlet(() => [1, 2, 3].join('-')).switch(), '1-2-3', 'a join without switching works in a greenlet');
  t.equal(String(nesting), '1,suspended in join,3,tail', 'main joins the array (here it switches to itself)');
  t.end();
});

t.test('main cannot switch to another greenlet inside a join either', (t) => {
  const child = new Greenlet(() => {
    for (;;) main.switch('child');
  });
  const array = [{ toString: () => String(child.switch()) }];
  t.throws(() => array.join(), refusal);
  t.throws(() => [[array]].toString(), refusal, 'through a nested join too');
  t.throws(() => array.toLocaleString(), refusal, 'and toLocaleString');
  t.equal(diagnostics.joinStack().entries, 0, 'the join stack is empty again');
  t.equal(child.started, false, 'the child was not started inside the join');
  t.equal(child.switch(), 'child', 'and starts now');
  t.equal([1, [2, 3]].join(';'), '1;2,3', 'joins are right afterwards');
  child.throw();
  t.end();
});

t.test('switches around joins, and a real cycle, behave as without greenlets', (t) => {
  const cyclic: unknown[] = [1];
  cyclic.push(cyclic);
  const g = new Greenlet(() => {
    const before = [1, 2].join();
    main.switch(before);
    return String(cyclic);
  });
  t.equal(g.switch(), '1,2');
  t.equal(String(cyclic), '1,', 'main sees the cycle as V8 does');
  t.equal(g.switch(), '1,', 'and so does the greenlet');
  t.end();
});

t.test('the check follows the native context when compaction moves it', (t) => {
  const result = runChild(fixture('join-under-compaction.mjs'), ['--stress-compaction', '--expose-gc']);
  expectExit(t, result);
  t.same(JSON.parse(result.stdout.trim() || '{}'), { refused: 200 });
  t.end();
});
