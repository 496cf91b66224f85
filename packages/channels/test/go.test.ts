// What Go users expect of channels: buffers, select with default and
// timeout, timeouts on single operations, and access from async code.
import t from 'tap';
import {
  Channel,
  ChannelClosedError,
  ChannelTimeoutError,
  onReceive,
  onSend,
  select,
} from '@stackless/channels';
import { finished, getruncount, run, sleep, tasklet } from '@stackless/tasklets';

t.test('buffered: sends do not block until the buffer is full', (t) => {
  const channel = new Channel<number>({ capacity: 2 });
  t.equal(channel.capacity, 2);
  channel.send(1);
  channel.send(2);
  t.equal(channel.length, 2);
  t.equal(channel.balance, 0, 'buffered values are not blocked senders');
  const third = tasklet(() => channel.send(3))();
  run();
  t.ok(third.blocked, 'the third send waits for room');
  t.equal(channel.balance, 1);
  t.equal(channel.receive(), 1, 'first in, first out');
  t.equal(channel.length, 2, "the blocked sender's value moved into the buffer");
  run();
  t.notOk(third.alive, 'and the sender went on');
  t.same([channel.receive(), channel.receive()], [2, 3]);
  t.end();
});

t.test('buffered: close drains the buffer, then receives throw', (t) => {
  const channel = new Channel<string>({ capacity: 3 });
  channel.sendSequence(['a', 'b']);
  channel.close();
  t.notOk(channel.closed, 'values are still buffered');
  t.throws(() => channel.send('c'), ChannelClosedError);
  t.same([...channel], ['a', 'b']);
  t.ok(channel.closed);
  t.end();
});

t.test('buffered: errors sent are thrown in order', (t) => {
  const channel = new Channel<number>({ capacity: 2 });
  channel.send(1);
  channel.sendException(RangeError, 'second');
  t.equal(channel.receive(), 1);
  t.throws(() => channel.receive(), { name: 'RangeError', message: 'second' });
  t.end();
});

t.test('buffered: values of any shape pass unchanged, errors only when thrown', (t) => {
  const channel = new Channel<unknown>({ capacity: 5 });
  const lookalike = { value: 1, isError: true };
  const sentError = new Error('a value, not thrown');
  for (const value of [undefined, null, lookalike, sentError, Symbol.for('s')]) channel.send(value);
  t.equal(channel.receive(), undefined);
  t.equal(channel.receive(), null);
  t.equal(channel.receive(), lookalike, 'an object shaped like a delivery is just a value');
  t.equal(channel.receive(), sentError, 'an Error sent with send() is received, not thrown');
  t.equal(channel.receive(), Symbol.for('s'));
  t.end();
});

t.test("buffered: a blocked sender's error moves into the buffer and is thrown in turn", (t) => {
  const channel = new Channel<number>({ capacity: 1 });
  channel.send(1);
  tasklet(() => channel.sendThrow(new RangeError('from the blocked sender')))();
  run();
  t.equal(channel.balance, 1, 'the sender waits for room');
  t.equal(channel.receive(), 1);
  t.equal(channel.length, 1, 'its error took the freed place');
  t.throws(() => channel.receive(), { name: 'RangeError', message: 'from the blocked sender' });
  t.end();
});

t.test('select receives a buffered error by throwing it', (t) => {
  const channel = new Channel<number>({ capacity: 1 });
  channel.sendThrow(new TypeError('buffered error'));
  t.throws(() => select([onReceive(channel)]), { name: 'TypeError', message: 'buffered error' });
  t.end();
});

t.test('capacity must be a whole number >= 0', (t) => {
  t.throws(() => new Channel({ capacity: -1 }), RangeError);
  t.throws(() => new Channel({ capacity: 1.5 }), RangeError);
  t.throws(() => new Channel(3 as never), TypeError);
  t.end();
});

t.test('select takes a ready case at once', (t) => {
  const idle = new Channel<number>();
  const busy = new Channel<number>({ capacity: 1 });
  busy.send(7);
  t.same(select([onReceive(idle), onReceive(busy)]), { index: 1, value: 7 });
  t.same(select([onReceive(idle), onSend(busy, 8)]), { index: 1 });
  t.equal(busy.receive(), 8);
  t.end();
});

t.test('select chooses fairly among ready cases', (t) => {
  const a = new Channel<string>({ capacity: 1 });
  const b = new Channel<string>({ capacity: 1 });
  const counts = [0, 0];
  for (let i = 0; i < 2000; i++) {
    if (a.length === 0) a.send('a');
    if (b.length === 0) b.send('b');
    counts[select([onReceive(a), onReceive(b)]).index]!++;
  }
  t.ok(counts[0]! > 800 && counts[1]! > 800, `both chosen often: ${counts.join(' / ')}`);
  t.end();
});

t.test('select with default does not block', (t) => {
  const channel = new Channel<number>();
  t.same(select([onReceive(channel)], { default: true }), { index: -1 });
  t.same(select([], { default: true }), { index: -1 });
  t.end();
});

t.test('select blocks until some case can happen, then leaves the other channels', (t) => {
  const first = new Channel<string>();
  const second = new Channel<string>();
  const results: unknown[] = [];
  tasklet(() => results.push(select([onReceive(first), onReceive(second)])))();
  run();
  t.equal(first.balance, -1);
  t.equal(second.balance, -1);
  second.send('two');
  run();
  t.same(results, [{ index: 1, value: 'two' }]);
  t.equal(first.balance, 0, 'the other waiter was withdrawn');
  t.end();
});

t.test('a blocked select send case completes when a receiver comes', (t) => {
  const channel = new Channel<number>();
  const other = new Channel<number>();
  const results: unknown[] = [];
  tasklet(() => results.push(select([onSend(channel, 5), onReceive(other)])))();
  run();
  t.equal(channel.balance, 1);
  t.equal(channel.receive(), 5);
  run();
  t.same(results, [{ index: 0 }]);
  t.equal(other.balance, 0);
  t.end();
});

t.test('select reports a closed receive case; a send case on a closed channel throws', (t) => {
  const channel = new Channel<number>();
  channel.close();
  t.same(select([onReceive(channel)]), { index: 0, closed: true });
  t.throws(() => select([onSend(channel, 1)]), ChannelClosedError);
  const waiting = new Channel<number>();
  const results: unknown[] = [];
  tasklet(() => results.push(select([onReceive(waiting)])))();
  run();
  waiting.close();
  run();
  t.same(results, [{ index: 0, closed: true }], 'closing wakes a blocked select');
  t.end();
});

t.test('killing a tasklet blocked in select withdraws all its cases', (t) => {
  const a = new Channel<number>();
  const b = new Channel<number>();
  const task = tasklet(() => select([onReceive(a), onReceive(b)]))();
  run();
  task.kill();
  t.equal(a.balance, 0);
  t.equal(b.balance, 0);
  t.end();
});

t.test('select rejects bad cases', (t) => {
  const channel = new Channel<number>();
  t.throws(() => select([]), TypeError, 'nothing to wait for');
  t.throws(() => select([{ channel: 1 } as never]), TypeError);
  t.throws(() => select([onReceive(channel), onSend(channel, 1)]), TypeError, 'both directions on one channel');
  t.throws(() => select([onReceive(channel)], { timeout: -5 }), RangeError);
  t.end();
});

t.test('select and single operations with a timeout', async (t) => {
  const channel = new Channel<number>();
  const results: unknown[] = [];
  const task = tasklet(() => {
    results.push(select([onReceive(channel)], { timeout: 10 }));
    try {
      channel.receive({ timeout: 10 });
    } catch (error) {
      results.push((error as Error).name);
    }
    try {
      channel.send(1, { timeout: 10 });
    } catch (error) {
      results.push((error as Error).name);
    }
    results.push(channel.receive({ timeout: 1000 }));
  })();
  // Sends once the three timed operations are over (on a loaded machine
  // they may take far longer than their 10 ms), into the last receive.
  const feeder = tasklet(() => {
    while (results.length < 3) sleep(5);
    sleep(20);
    channel.send(42);
  })();
  await finished([task, feeder]);
  t.same(results, [{ index: -1, timedOut: true }, 'ChannelTimeoutError', 'ChannelTimeoutError', 42]);
  t.equal(channel.balance, 0, 'timed-out operations left nothing behind');
  t.ok(ChannelTimeoutError);
  t.end();
});

t.test('async code talks to tasklets through promises and for await', async (t) => {
  const requests = new Channel<number>();
  const replies = new Channel<number>({ capacity: 4 });
  const server = tasklet(() => {
    for (const n of requests) replies.send(n * 2);
    replies.close();
  })();
  await requests.sendAsync(1);
  await requests.sendAsync(2);
  t.equal(await replies.receiveAsync(), 2);
  requests.close();
  const rest: number[] = [];
  for await (const reply of replies) rest.push(reply);
  t.same(rest, [4]);
  await finished([server]);
  await t.rejects(requests.sendAsync(3), ChannelClosedError);
  t.equal(getruncount(), 1);
  t.end();
});

t.test('tasklets that only pass values to each other still let the event loop run', async (t) => {
  // Woken from the event loop, they run in time slices; a slice must end even
  // though neither tasklet ever calls schedule() (they only block on channels).
  let timerFired = false;
  setTimeout(() => (timerFired = true), 20);
  const ping = new Channel<number>();
  const pong = new Channel<number>();
  const limit = 5_000_000;
  let roundTrips = 0;
  const echo = tasklet(() => {
    for (;;) pong.send(ping.receive() + 1);
  })();
  const driver = tasklet(() => {
    while (!timerFired && roundTrips < limit) {
      ping.send(roundTrips);
      roundTrips = pong.receive();
    }
    echo.kill();
  })();
  await finished([echo, driver]);
  t.ok(timerFired, `the timer fired while they ran (${roundTrips} round trips)`);
  t.ok(roundTrips < limit);
  t.end();
});
