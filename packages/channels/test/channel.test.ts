// Stackless' channel behaviours: rendezvous, balance and blocked flags,
// preference, sendException, close, iteration, kill of a blocked tasklet,
// deadlock detection and the channel callback.
import t from 'tap';
import { Channel, ChannelClosedError, DeadlockError, setChannelCallback } from '@stackless/channels';
import { type Tasklet, getcurrent, run, tasklet } from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('rendezvous: a value passes from sender to receiver', (t) => {
  const channel = new Channel<string>();
  const received: string[] = [];
  tasklet(() => channel.send('hello'))();
  tasklet(() => received.push(channel.receive()))();
  run();
  t.same(received, ['hello']);
  t.end();
});

t.test('balance, queue and blocked flags while senders or receivers wait', (t) => {
  const channel = new Channel<number>();
  const senders = [1, 2].map((n) => tasklet(() => channel.send(n))());
  run();
  t.equal(channel.balance, 2, 'two senders waiting');
  t.equal(channel.queue, senders[0]);
  t.ok(senders.every((s) => s.blocked && s.scheduled && !s.paused));
  t.equal(channel.receive(), 1, 'main receives from the first sender');
  t.equal(channel.receive(), 2);
  t.equal(channel.balance, 0);
  t.equal(channel.queue, null);
  run();
  t.ok(senders.every((s) => !s.alive));

  const receivers = [1, 2, 3].map(() => tasklet(() => channel.receive())());
  run();
  t.equal(channel.balance, -3, 'three receivers waiting');
  channel.send(10);
  channel.send(20);
  channel.send(30);
  run();
  t.equal(channel.balance, 0);
  t.ok(receivers.every((r) => !r.alive));
  t.end();
});

t.test('main blocking on a channel lets tasklets run until it can go on', (t) => {
  const channel = new Channel<number>();
  tasklet(() => {
    for (let i = 0; i < 3; i++) channel.send(i);
  })();
  t.same([channel.receive(), channel.receive(), channel.receive()], [0, 1, 2]);
  t.end();
});

t.test('preference decides who runs on after a transfer', (t) => {
  const order = (preference: number, mainSends: boolean) => {
    const channel = new Channel<string>();
    channel.preference = preference;
    const log: string[] = [];
    tasklet(() => {
      if (mainSends) log.push(`partner got ${channel.receive()}`);
      else {
        channel.send('x');
        log.push('partner sent');
      }
    })();
    run(); // the partner blocks first
    if (mainSends) channel.send('x');
    else channel.receive();
    log.push('main goes on');
    run();
    return log;
  };
  t.same(order(-1, true), ['partner got x', 'main goes on'], 'prefer receiver: main sends, the receiver runs at once');
  t.same(order(1, true), ['main goes on', 'partner got x'], 'prefer sender: main sends and goes on');
  t.same(order(0, true), ['main goes on', 'partner got x'], 'no preference: main goes on');
  t.same(order(1, false), ['partner sent', 'main goes on'], 'prefer sender: main receives, the sender runs at once');
  t.same(order(-1, false), ['main goes on', 'partner sent'], 'prefer receiver: main receives and goes on');
  t.end();
});

t.test('preference is clamped and must be a number', (t) => {
  const channel = new Channel();
  t.equal(channel.preference, -1, 'default: prefer receiver');
  channel.preference = 5;
  t.equal(channel.preference, 1);
  channel.preference = -10;
  t.equal(channel.preference, -1);
  channel.preference = 0;
  t.equal(channel.preference, 0);
  t.throws(() => {
    channel.preference = 'high' as never;
  }, TypeError);
  t.end();
});

t.test('sendException and sendThrow raise in the receiver, with the arguments', (t) => {
  const channel = new Channel<number>();
  const caught: unknown[] = [];
  tasklet(() => {
    for (let i = 0; i < 2; i++) {
      try {
        channel.receive();
      } catch (error) {
        caught.push(error);
      }
    }
  })();
  run();
  channel.sendException(RangeError, 'out of range');
  channel.sendThrow(new URIError('bad uri'));
  run();
  t.equal(caught.length, 2);
  t.ok(caught[0] instanceof RangeError && (caught[0] as Error).message === 'out of range');
  t.ok(caught[1] instanceof URIError);
  t.throws(() => channel.sendException(42 as never), TypeError);
  t.end();
});

t.test('a blocked sender of an exception throws in the receiver that arrives later', (t) => {
  const channel = new Channel<number>();
  tasklet(() => channel.sendException(TypeError, 'late'))();
  run();
  t.equal(channel.balance, 1);
  t.throws(() => channel.receive(), { name: 'TypeError', message: 'late' });
  t.end();
});

t.test('sendSequence sends each value and returns the count', (t) => {
  const channel = new Channel<number>();
  const received: number[] = [];
  tasklet(() => {
    for (let i = 0; i < 4; i++) received.push(channel.receive());
  })();
  t.equal(channel.sendSequence([1, 2, 3, 4]), 4);
  t.same(received, [1, 2, 3, 4]);
  t.throws(() => channel.sendSequence(5 as never), TypeError);
  t.end();
});

t.test('close: waiting senders drain, then sends and receives throw', (t) => {
  const channel = new Channel<number>();
  tasklet(() => channel.send(1))();
  tasklet(() => channel.send(2))();
  let sequenceError: unknown;
  tasklet(() => {
    try {
      channel.sendSequence([3, 4]);
    } catch (error) {
      sequenceError = error;
    }
  })();
  run();
  t.equal(channel.balance, 3);
  channel.close();
  t.ok(channel.closing);
  t.notOk(channel.closed, 'senders are still waiting');
  t.throws(() => channel.send(5), ChannelClosedError);
  t.same([...channel], [1, 2, 3], 'iteration drains the waiting senders, then ends');
  run();
  t.ok(sequenceError instanceof ChannelClosedError, 'the sequence stopped at its next send');
  t.ok(channel.closed);
  t.throws(() => channel.receive(), ChannelClosedError);
  channel.open();
  t.notOk(channel.closing);
  t.end();
});

t.test('closing wakes blocked receivers with ChannelClosedError', (t) => {
  const channel = new Channel<number>();
  const outcomes: string[] = [];
  for (let i = 0; i < 3; i++) {
    tasklet(() => {
      try {
        channel.receive();
      } catch (error) {
        outcomes.push(error instanceof ChannelClosedError ? 'closed' : 'other');
      }
    })();
  }
  run();
  t.equal(channel.balance, -3);
  channel.close();
  t.ok(channel.closed);
  run();
  t.same(outcomes, ['closed', 'closed', 'closed']);
  t.end();
});

t.test('for...of in a tasklet ends when the channel is closed', (t) => {
  const channel = new Channel<number>();
  const seen: number[] = [];
  tasklet(() => {
    for (const value of channel) seen.push(value);
    seen.push(-1);
  })();
  run();
  channel.sendSequence([5, 6]);
  channel.close();
  run();
  t.same(seen, [5, 6, -1]);
  t.end();
});

t.test('killing a blocked tasklet takes it off the channel', (t) => {
  const channel = new Channel<number>();
  const receivers = [1, 2].map(() => tasklet(() => channel.receive())());
  run();
  t.equal(channel.balance, -2);
  receivers[0]!.kill();
  t.equal(channel.balance, -1);
  t.equal(channel.queue, receivers[1]);
  t.notOk(receivers[0]!.alive);
  channel.send(1);
  run();
  t.equal(channel.balance, 0);
  t.end();
});

t.test('blocking when nothing could wake the caller is a DeadlockError', (t) => {
  const channel = new Channel<number>();
  t.throws(() => channel.receive(), { name: 'DeadlockError', message: /receive on Channel#\d+/ });
  t.equal(channel.balance, 0, 'the refused receiver is not left on the channel');
  const errors: unknown[] = [];
  tasklet(() => {
    try {
      channel.send(1);
    } catch (error) {
      errors.push(error);
    }
  })();
  // main leaves the queue: the tasklet is the last runnable one when it sends
  const waiter = new Channel<number>();
  tasklet(() => waiter.send(0))();
  t.equal(waiter.receive(), 0);
  run();
  t.equal(errors.length, 0, 'main was runnable, so the sender could block');
  t.equal(channel.balance, 1);
  t.equal(channel.receive(), 1);
  t.ok(DeadlockError);
  t.end();
});

t.test('the channel callback sees every action', (t) => {
  const channel = new Channel<number>();
  const seen: Array<[boolean, boolean, boolean]> = [];
  const main = getcurrent();
  setChannelCallback((ch, who: Tasklet, sending, willBlock) => {
    if (ch === channel) seen.push([who === main, sending, willBlock]);
  });
  tasklet(() => channel.send(1))();
  run();
  channel.receive();
  setChannelCallback(null);
  t.same(seen, [
    [false, true, true],
    [true, false, false],
  ]);
  t.end();
});
