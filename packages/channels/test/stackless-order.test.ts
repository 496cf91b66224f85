// Who runs when, around a channel transfer, by Stackless' rules
// (Stackless/module/channelobject.c, generic_channel_action): when the side
// the preference names is the waiting one, it is put right after the caller
// in the ring of runnables and switched to, so every tasklet that was
// runnable already runs before the caller resumes; otherwise the waiting
// side goes to the end of the ring and the caller goes on. Also: fan-in of
// fresh tasklets, and a channel callback that throws.
import t from 'tap';
import { Channel, select, onReceive, setChannelCallback } from '@stackless/channels';
import { run, tasklet } from '@stackless/tasklets';
import { checkTaskletsAfterEach } from '@stackless/test-support/tasklets';

checkTaskletsAfterEach(t);

t.test('fan-in: fresh tasklets sending to one receiver each deliver their own value', (t) => {
  const results = new Channel<number>();
  const leaf = (out: Channel<number>, value: number) => out.send(value);
  for (let i = 1; i <= 5; i++) tasklet(leaf)(results, i);
  const got = [1, 2, 3, 4, 5].map(() => results.receive());
  t.same(got, [1, 2, 3, 4, 5]);
  t.end();
});

/**
 * Three receivers block on `channel`, then `bystander` becomes runnable, then
 * main (or a tasklet, `sender`) sends three values.
 */
function sendToWaitingReceivers(preference: number, fromTasklet: boolean): string[] {
  const channel = new Channel<number>();
  channel.preference = preference;
  const log: string[] = [];
  for (const name of ['r1', 'r2', 'r3']) tasklet(() => log.push(`${name} got ${channel.receive()}`))();
  run(); // all three block
  tasklet(() => log.push('bystander'))();
  const send = () => {
    for (const value of [1, 2, 3]) {
      channel.send(value);
      log.push(`sent ${value}`);
    }
  };
  if (fromTasklet) {
    tasklet(send)();
    run();
  } else {
    send();
    run();
  }
  return log;
}

t.test('preference -1: the sender resumes after every tasklet already runnable', (t) => {
  t.same(sendToWaitingReceivers(-1, false), [
    'r1 got 1',
    'bystander',
    'sent 1',
    'r2 got 2',
    'sent 2',
    'r3 got 3',
    'sent 3',
  ]);
  // From a tasklet: the bystander is ahead of it in the ring already.
  t.same(sendToWaitingReceivers(-1, true), [
    'bystander',
    'r1 got 1',
    'sent 1',
    'r2 got 2',
    'sent 2',
    'r3 got 3',
    'sent 3',
  ]);
  t.end();
});

t.test('preference 0 and 1: the sender goes on, each receiver at the end of the ring', (t) => {
  const expected = ['sent 1', 'sent 2', 'sent 3', 'bystander', 'r1 got 1', 'r2 got 2', 'r3 got 3'];
  t.same(sendToWaitingReceivers(0, false), expected);
  t.same(sendToWaitingReceivers(1, false), expected);
  t.end();
});

t.test('preference 1: a receiver taking from a waiting sender resumes after the runnable tasklets', (t) => {
  const channel = new Channel<number>();
  channel.preference = 1;
  const log: string[] = [];
  for (const value of [1, 2]) {
    tasklet(() => {
      channel.send(value);
      log.push(`s${value} resumed`);
    })();
  }
  run(); // both senders block
  tasklet(() => log.push('bystander'))();
  log.push(`got ${channel.receive()}`);
  log.push(`got ${channel.receive()}`);
  t.same(log, ['s1 resumed', 'bystander', 'got 1', 's2 resumed', 'got 2']);
  t.end();
});

t.test('a select() receive case served with preference -1 runs at once, like a receive', (t) => {
  const channel = new Channel<number>();
  const log: string[] = [];
  tasklet(() => log.push(`selected ${select([onReceive(channel)]).value}`))();
  run();
  tasklet(() => log.push('bystander'))();
  channel.send(7);
  log.push('sent');
  t.same(log, ['selected 7', 'bystander', 'sent']);
  t.end();
});

t.test('a channel callback that throws stops the operation before anything moves', (t) => {
  const channel = new Channel<string>();
  const failing = new Error('callback failed');
  const fail = () => {
    throw failing;
  };

  // A send to a waiting receiver: nothing is delivered, a retry delivers once.
  const received: string[] = [];
  tasklet(() => received.push(channel.receive()))();
  run();
  setChannelCallback(fail);
  t.throws(() => channel.send('once'), failing);
  setChannelCallback(null);
  t.same(received, [], 'the receiver got nothing');
  t.equal(channel.balance, -1, 'the receiver still waits');
  channel.send('once');
  t.same(received, ['once'], 'delivered exactly once');

  // A receive from a waiting sender: no value is taken, a retry takes it.
  let senderDone = false;
  tasklet(() => {
    channel.send('kept');
    senderDone = true;
  })();
  run();
  setChannelCallback(fail);
  t.throws(() => channel.receive(), failing);
  setChannelCallback(null);
  t.equal(channel.balance, 1, 'the sender still waits with its value');
  t.notOk(senderDone);
  t.equal(channel.receive(), 'kept');

  // Buffered: neither a buffered value nor a send is lost or doubled.
  const buffered = new Channel<number>({ capacity: 2 });
  buffered.send(1);
  setChannelCallback(fail);
  t.throws(() => buffered.send(2), failing);
  t.throws(() => buffered.receive(), failing);
  setChannelCallback(null);
  t.equal(buffered.length, 1);
  t.equal(buffered.receive(), 1);
  t.end();
});
