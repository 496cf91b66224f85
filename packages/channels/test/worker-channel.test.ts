// WorkerChannel between real worker threads, each case in a child process
// (workers, and a case that terminates them mid-send). Expected behaviour is
// Go's buffered channels (the spec's "Channels between threads"): every value
// received exactly once, in its sender's order; a full buffer blocks senders;
// close() drains, then ChannelClosedError everywhere.
import { describeExit, fixtureIn, runChild } from '@stackless/test-support';
import t from 'tap';

const fixture = fixtureIn(import.meta.url)('worker-channel.mjs');

function runCase(name: string): any {
  const child = runChild(fixture, [], [name], {}, { timeout: 120_000 });
  if (child.signal !== null || child.status !== 0) throw new Error(`case ${name}: ${describeExit(child)}`);
  return JSON.parse(child.stdout.trim());
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ascending = (list: number[]) => list.every((value, i) => i === 0 || list[i - 1]! < value);

t.test('3 senders (2 workers and main), 2 receiving workers: each value once, in its sender\'s order', (t) => {
  const { count, received } = runCase('mpmc');
  t.equal(received.length, 2);
  for (const sender of ['0', '1', 'main']) {
    const parts: number[][] = received.map((bySender: Record<string, number[]>) => bySender[sender] ?? []);
    for (const part of parts) t.ok(ascending(part), `consumer saw sender ${sender} in order`);
    const all = parts.flat().sort((a, b) => a - b);
    t.same(all, range(count), `sender ${sender}: every value exactly once`);
  }
  t.end();
});

t.test('a full channel blocks its senders (only the sending tasklet) until a receive makes room', (t) => {
  const result = runCase('backpressure');
  t.equal(result.whileFull, result.capacity, 'the worker sent exactly capacity values, then blocked');
  t.equal(result.pong, 'pong', "the blocked sender's thread still answers messages");
  t.ok(result.mainSendPendingWhileFull, "main's sendAsync waits while full");
  t.same(result.received, [0, 1, 2, 'main', 3, 4, 5], 'the buffered values, then the waiting senders in turn');
  t.equal(result.finalSent, 6);
  t.end();
});

t.test('close(): receivers drain then get ChannelClosedError; blocked and later senders get it', (t) => {
  const result = runCase('close');
  t.same(result.drained, { received: ['a', 'b'], error: 'ChannelClosedError', closedSeen: true, sendAfterClose: 'ChannelClosedError' });
  t.equal(result.blockedOutcome, 'ChannelClosedError', 'a worker blocked in send when the channel closed');
  t.same(result.afterClose, ['kept', 'ChannelClosedError', 'ChannelClosedError'], 'main drains the buffered value; sendAsync rejects');
  t.equal(result.receiverOutcome, 'ChannelClosedError', 'a worker blocked in receive when the channel closed');
  t.equal(result.closedAgain, true, 'closing twice is harmless');
  t.end();
});

t.test('for...of in a worker tasklet and for await on main iterate until closed and drained', (t) => {
  const { sent, sums } = runCase('iterate');
  const expected: number[] = [];
  for (let i = 0; i < sent.length; i += 2) expected.push(sent[i] + (sent[i + 1] ?? 0));
  t.same(sums, expected);
  t.end();
});

t.test('workers terminated while blocked in send and in receive lose no value and leave the channel usable', (t) => {
  const result = runCase('terminateBlocked');
  t.same(result.drained, [1, 2], "the terminated sender's value never arrives; the buffered ones do");
  t.same(result.afterwards, [3], 'both slots usable after the terminated receiver');
  t.equal(result.freshGot, 4, 'a new worker receives');
  t.equal(result.leftOver, 'ChannelTimeoutError', 'nothing else is in the channel');
  t.end();
});

t.test('senders terminated at random points (mid-send too) lose no other value, duplicate none, and cost at most a slot each', (t) => {
  const result = runCase('terminateRandom');
  t.same(result.received.steady, range(result.steadyCount), "the steady sender's values, each once, in order");
  for (const [sender, seqs] of Object.entries(result.received as Record<string, number[]>)) {
    if (sender === 'steady') continue;
    t.ok(ascending(seqs) && seqs[0] === 0 && seqs.at(-1) === seqs.length - 1, `${sender}: a gap-free prefix of what it sent`);
  }
  t.ok(result.fits >= result.capacity - result.victims && result.fits <= result.capacity, `${result.fits} of ${result.capacity} slots still usable`);
  t.same(result.after, range(result.fits), 'and they drain after close');
  t.end();
});

t.test('a slot claimed and never published (a sender gone mid-write) is skipped, never read', (t) => {
  const result = runCase('abandonedSlot');
  t.equal(result.abandoned >= 0, true);
  t.same(result.rounds, range(5).map((round) => [`${round}.a`, `${round}.b`]), 'values flow through the other slots, in order');
  t.equal(result.third, 'ChannelTimeoutError', 'the channel holds one value less');
  t.same(result.received, ['x', 'y']);
  t.equal(result.end, 'ChannelClosedError');
  t.end();
});

t.test('a value larger than slotBytes is refused with a RangeError naming its size; an uncloneable one with DataCloneError', (t) => {
  const result = runCase('sizes');
  t.equal(result.tooLarge.name, 'RangeError');
  t.match(result.tooLarge.message, /serializes to \d+ bytes, more than the channel's slotBytes \(1024\)/);
  t.same(result.unclonable, Array(3).fill({ name: 'DataCloneError', isDOMException: true }), 'a function, a symbol, a MessagePort');
  t.equal(result.gotLength, result.fitLength, 'a value of exactly slotBytes goes through');
  t.equal(result.nothingElse, 'ChannelTimeoutError', 'the refused values were not sent');
  t.end();
});

t.test('ArrayBuffer and typed-array values round-trip between threads, copied at send', (t) => {
  const result = runCase('buffers');
  t.same(result.summary, { isArrayBuffer: true, length: 65536, sum: result.sum });
  t.ok(result.echoedIsArrayBuffer && result.same, 'the echo is byte-identical');
  t.same(result.typed, { typed: 'Float64Array', values: [1.5, -2, Math.PI] });
  t.end();
});

t.test('bad input and misuse: typed errors naming the parameter', (t) => {
  const result = runCase('misuse');
  t.same(result.capacityErrors, Array(6).fill('RangeError'));
  t.equal(result.noOptions, 'TypeError');
  t.same(result.badHandle, ['TypeError', 'TypeError', 'TypeError']);
  t.same(result.onMain, ['SchedulerError', 'SchedulerError'], 'send/receive on the main tasklet');
  t.equal(result.badTimeout, 'RangeError');
  t.equal(result.timedOut, 'ChannelTimeoutError');
  t.ok(result.waited, 'the timeout waited');
  t.equal(result.inTaskletTimeout, 'ChannelTimeoutError');
  t.same(result.sameThread, { got: { list: [1, 2] }, distinct: true }, 'cloned at send within one thread too');
  t.end();
});
