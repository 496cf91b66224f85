// WorkerChannel between real worker threads, each case in a child process
// (workers, and a case that terminates them mid-send). Expected behaviour is
// Go's buffered channels (the spec's "Channels between threads"): every value
// received exactly once, in its sender's order; a full buffer blocks senders;
// close() drains, then ChannelClosedError everywhere.
import { describeExit, fixtureIn, runChild } from '@stackless/test-support';
import t from 'tap';

const fixture = fixtureIn(import.meta.url)('worker-channel.mjs');

function runCase(name: string, timeout = 120_000): any {
  const child = runChild(fixture, [], [name], {}, { timeout });
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
  t.same(result.received.slice(0, 3), [0, 1, 2], 'the buffered values first');
  // Which of two blocked senders gets a freed slot first is not ordered across threads (docs: no FIFO of waiters).
  t.same(result.received.slice(3).filter((value: unknown) => value !== 'main'), [3, 4, 5], "then the worker's, in its order");
  t.equal(result.received.filter((value: unknown) => value === 'main').length, 1, "and main's, once");
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

t.test('receivers terminated at random points (mid-receive too) duplicate nothing, lose at most their value in flight, cost at most a slot each', (t) => {
  const result = runCase('terminateReceivers');
  const receivers: number[][] = [result.mainGot, ...result.byVictim];
  for (const [i, seqs] of receivers.entries()) t.ok(ascending(seqs), `receiver ${i === 0 ? 'main' : `victim ${i}`} saw the sender's order`);
  const all = receivers.flat();
  t.equal(new Set(all).size, all.length, 'no value received twice');
  t.ok(all.every((seq) => Number.isInteger(seq) && seq >= 0 && seq < result.count), 'only values that were sent');
  t.ok(all.length >= result.count - result.victims, `${result.count - all.length} values lost, at most one per terminated receiver`);
  t.ok(result.fits >= result.capacity - result.victims && result.fits <= result.capacity, `${result.fits} of ${result.capacity} slots still usable`);
  t.same(result.after, range(result.fits), 'and they carry values, in order');
  t.end();
});

t.test('a slot claimed and never published (a sender gone mid-write) is skipped, never read', (t) => {
  const result = runCase('abandonedSlot');
  t.ok(result.abandoned >= 0 && result.abandoned < 3, 'the abandoned write holds one of the 3 slots');
  t.same(result.rounds, range(5).map((round) => [`${round}.a`, `${round}.b`]), 'values flow through the other slots, in order');
  t.equal(result.third, 'ChannelTimeoutError', 'the channel holds one value less');
  t.same(result.received, ['x', 'y']);
  t.equal(result.end, 'ChannelClosedError');
  t.end();
});

t.test('tasklets killed or cancelled while blocked take and deliver nothing, and their threads still exit', (t) => {
  const result = runCase('cancelled', 60_000);
  t.same(result.finallyRan, ['receiver'], "the killed receiver's finally ran");
  t.equal(result.receiverAlive, false);
  t.equal(result.scoped, 'TimeoutError', 'a scope timeout cancels a receive');
  t.equal(result.senderAlive, false);
  t.equal(result.workerSenderAlive, false);
  t.equal(result.workerEnd, 'exited', 'the worker whose blocked sender was killed exits by itself');
  t.same(result.received, ['kept'], 'only the value sent before; neither killed sender delivered');
  t.equal(result.afterward, 'ChannelTimeoutError');
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

t.test('a receiver thread that never receives again: senders block on back-pressure and time out, another receiver gets every value', (t) => {
  const result = runCase('neverReceivesAgain');
  t.same(result.quit, { got: [0, 1, 2], killed: 'TaskletExit', timedOut: 'ChannelTimeoutError' }, 'a killed and a timed-out receive in the quitting thread');
  t.same(result.sentBeforeBlocking, range(result.capacity).map((i) => i + 3), 'exactly capacity sends complete with no receiver (a killed or timed-out receive took nothing)');
  t.equal(result.mainOutcome, 'ChannelTimeoutError', "main's next sendAsync blocks until its timeout");
  t.ok(result.waited, 'and waited for it');
  t.same(result.workerOutcomes, ['ChannelTimeoutError', 'ChannelTimeoutError'], "a worker's send (in a tasklet) and sendAsync time out too");
  t.same(result.collected, result.sent, 'a new receiver gets every value sent, once, in order, and none of the timed-out ones');
  t.end();
});

t.test('workers that exit (process.exit) while blocked in send and in receive lose no value and leave the channel usable', (t) => {
  const result = runCase('exitBlocked');
  t.same(result.outcomes, [{ outcome: 'TaskletExit' }, { outcome: 'TaskletExit' }], 'the blocked tasklets are killed as their threads end (docs/tasklets.md)');
  t.same(result.drained, [1, 2], "the exited sender's value never arrives; the buffered ones do");
  t.equal(result.afterSender, 'ChannelTimeoutError', 'nothing else is in the channel');
  t.same(result.afterwards, [3, 4], 'both slots usable after the exited receiver, which took nothing');
  t.equal(result.leftOver, 'ChannelTimeoutError');
  t.end();
});

t.test('sendAsync/receiveAsync outside tasklets (main, and a worker with no tasklet) with timeouts, as Go\'s select with a timer', (t) => {
  const result = runCase('asyncTimeouts');
  t.equal(result.early, 'ChannelTimeoutError', "the worker's receiveAsync times out on an empty channel");
  t.equal(result.hello, 'hello', 'and a later one gets the value sent meanwhile');
  t.equal(result.late, 'late', "main's receiveAsync gets a value that arrives before its timeout");
  t.equal(result.missed, 'ChannelTimeoutError', 'one that runs out first throws');
  t.equal(result.afterTimeout, 'after your timeout', 'and took nothing: the next value goes to the next receive');
  t.equal(result.closedWhileWaiting, 'ChannelClosedError', "a pending receiveAsync on main sees the worker's close()");
  t.same(result.rest, ['x', 'y'], 'for await in the worker drains, then ends at the close');
  t.equal(result.tryEmpty, 'ChannelTimeoutError', 'timeout 0 on an empty channel: at once');
  t.equal(result.tryFull, 'ChannelTimeoutError', 'timeout 0 on a full channel: at once, after sends with room succeeded');
  t.equal(result.fullTimeout, 'ChannelTimeoutError');
  t.ok(result.fullWaited, 'a send on a full channel waits for its timeout');
  t.same(result.drained, ['a', 'b'], 'the timed-out sends sent nothing');
  t.equal(result.nothingMore, 'ChannelTimeoutError');
  t.end();
});

t.test('bad input and misuse: typed errors naming the parameter', (t) => {
  const result = runCase('misuse');
  const names = (errors: { name: string }[]) => errors.map((error) => error.name);
  t.same(names(result.capacityErrors), ['RangeError', 'RangeError', 'RangeError', 'TypeError', 'RangeError', 'RangeError', 'TypeError'], 'RangeError out of range, TypeError not a number');
  for (const error of [...result.capacityErrors, ...result.slotBytesErrors, ...result.timeoutErrors]) {
    t.match(error.message, /^(new WorkerChannel\(\)|WorkerChannel#receiveAsync\(\)): (capacity|slotBytes|timeout) must be/, `names the parameter: ${error.message}`);
  }
  t.same(names(result.slotBytesErrors), ['RangeError', 'RangeError', 'TypeError']);
  t.same(names(result.timeoutErrors), ['TypeError', 'TypeError', 'RangeError']);
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

t.test('an ArrayBuffer on its own goes into the slot raw: every size up to slotBytes, over many laps, arrives as its structured clone', (t) => {
  const result = runCase('rawBuffers');
  t.equal(result.echoedRight.length, result.count, 'every buffer came back');
  t.ok(result.echoedRight.every(Boolean), 'each byte-identical, a plain ArrayBuffer, in order (sizes 8 to slotBytes)');
  t.equal(result.tooLarge.name, 'RangeError');
  t.match(result.tooLarge.message, /serializes to 4097 bytes, more than the channel's slotBytes \(4096\)/, 'one byte over slotBytes is refused, naming its size');
  t.same(result.subclass, { plain: true, keys: [], bytes: [1, 2, 3, 4, 5] }, "a subclass's instance arrives as a plain ArrayBuffer without its own properties, as a clone does");
  t.same(result.small, [1, 2, 3, 4, 5, 6, 7].map((size) => Array.from({ length: size }, (_, i) => 250 - i)), 'sizes 1 to 7');
  t.same(result.resizable, { resizable: true, maxByteLength: 16, bytes: [7, 8, 9] }, 'a resizable one stays resizable (v8.serialize)');
  t.equal(result.empty, 0, 'an empty one');
  t.equal(result.detached, 'DataCloneError', 'a detached one cannot be cloned');
  t.same(result.copiedAtSend, [{ id: 2, seq: 0 }, { id: 2, seq: 1 }], 'copied at send, also by a send that waited for room');
  t.equal(result.nothingElse, 'ChannelTimeoutError');
  t.end();
});

t.test('senders of raw ArrayBuffers terminated at random points (mid-copy too): no torn, lost or duplicated value, at most a slot each', (t) => {
  const result = runCase('terminateBufferSenders');
  t.equal(result.broken, 0, 'every buffer received is whole: one sender, one number, every byte');
  t.same(result.received['0'], range(result.steadyCount), "the steady sender's buffers, each once, in order");
  for (const [sender, seqs] of Object.entries(result.received as Record<string, number[]>)) {
    if (sender === '0') continue;
    t.ok(ascending(seqs) && seqs[0] === 0 && seqs.at(-1) === seqs.length - 1, `sender ${sender}: a gap-free prefix of what it sent`);
  }
  t.ok(result.fits >= result.capacity - result.victims && result.fits <= result.capacity, `${result.fits} of ${result.capacity} slots still usable`);
  t.same(result.after, range(result.fits), 'and they drain whole, in order, after close');
  t.end();
});

t.test('tasklets of two threads parked on one channel are woken for every value and every free slot (no lost wake-up)', (t) => {
  const result = runCase('parkedWakeups');
  t.same(result.acked, range(result.count), 'each value, sent while all receivers were parked, was received and acknowledged within 5 s');
  const received: (number | string)[][] = result.received;
  t.same(received.flat().filter((value) => typeof value === 'number').sort((a, b) => (a as number) - (b as number)), range(result.count), 'each exactly once');
  t.ok(received.every((list) => list.at(-1) === 'ChannelClosedError'), 'every receiver saw the close');
  t.same(result.receiveErrors, [], 'each free slot was refilled by a parked sender within 5 s');
  t.same(Object.keys(result.bySender).sort(), ['a.0', 'a.1', 'a.2', 'b.0', 'b.1', 'b.2']);
  for (const seqs of Object.values(result.bySender as Record<string, number[]>)) t.same(seqs, range(8), "each sender's values once, in its order");
  t.same(result.senderOutcomes, Array(6).fill('done'));
  t.end();
});
