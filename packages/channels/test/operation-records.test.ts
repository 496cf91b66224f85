// A channel reuses the record of a finished blocked operation for the next
// one (channel.ts, BlockedOperation). These are the moments where a reused
// record could hand over the wrong value or take the wrong waiter off the
// channel.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { Channel, DeadlockError, setChannelCallback } from '@stackless/channels';
import { run, schedule, tasklet } from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('a sender preferred to run reuses its record at once; the receiver still gets what it sent', (t) => {
  const channel = new Channel<number>();
  channel.preference = 1;
  tasklet(() => {
    for (let i = 0; i < 5; i++) channel.send(i);
  })();
  run();
  const received = [0, 1, 2, 3, 4].map(() => channel.receive());
  t.same(received, [0, 1, 2, 3, 4]);
  t.end();
});

t.test('a channel callback that switches before the value is returned', (t) => {
  const channel = new Channel<string>();
  tasklet(() => {
    channel.send('first');
    channel.send('second');
  })();
  run();
  setChannelCallback((ch, _who, sending) => {
    if (ch === channel && !sending) schedule(); // the released sender runs and blocks again
  });
  try {
    t.equal(channel.receive(), 'first');
    t.equal(channel.receive(), 'second');
  } finally {
    setChannelCallback(null);
  }
  t.end();
});

t.test('a sender killed after its value was taken leaves the next waiter on the channel', (t) => {
  const channel = new Channel<number>();
  const first = tasklet(() => channel.send(1))();
  run();
  t.equal(channel.receive(), 1, 'taken: the sender is runnable, not yet resumed');
  first.kill(); // resumes it with an exit: its record goes back to the channel
  const second = tasklet(() => channel.send(2))();
  run();
  t.equal(channel.balance, 1, 'the second sender waits');
  t.equal(channel.queue, second);
  t.equal(channel.receive(), 2);
  t.end();
});

t.test('a receiver killed while blocked, then others block and are served', (t) => {
  const channel = new Channel<number>();
  const doomed = tasklet(() => channel.receive())();
  run();
  doomed.kill();
  t.equal(channel.balance, 0);
  const got: number[] = [];
  tasklet(() => got.push(channel.receive()))();
  tasklet(() => got.push(channel.receive()))();
  run();
  t.equal(channel.balance, -2);
  channel.send(7);
  channel.send(8);
  run();
  t.same(got, [7, 8]);
  t.end();
});

t.test('blocking refused for deadlock leaves nothing behind', (t) => {
  const channel = new Channel<number>();
  t.throws(() => channel.send(1), DeadlockError);
  t.equal(channel.balance, 0);
  tasklet(() => channel.send(3))();
  t.equal(channel.receive(), 3, 'the record is reused cleanly');
  t.end();
});

t.test('a finished operation keeps no value alive', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const channel = new Channel<object>();
  const sent = new WeakRef(
    (() => {
      const payload = {};
      tasklet(() => channel.send(payload))();
      run();
      channel.receive();
      return payload;
    })(),
  );
  await new Promise((resolve) => setImmediate(resolve)); // WeakRefs hold until the job ends
  gc();
  t.equal(sent.deref(), undefined, 'collected: the spare record dropped it');
  t.end();
});
