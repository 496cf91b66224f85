// Timeouts of any finite length on channel operations: setTimeout() alone
// fires after 1 ms when asked for more than 2^31 - 1 ms.
import t from 'tap';
import { Channel, onReceive, select } from '@stackless/channels';
import { getruncount, run, tasklet } from '@stackless/tasklets';

t.test('receive({ timeout }), send({ timeout }) and select({ timeout }) past 2^31 - 1 ms do not end early', async (t) => {
  const channel = new Channel<number>();
  const full = new Channel<number>({ capacity: 1 });
  full.send(0);
  const ended: string[] = [];
  const waiters = [
    tasklet(() => {
      channel.receive({ timeout: 2 ** 32 });
      ended.push('receive');
    })(),
    tasklet(() => {
      full.send(1, { timeout: 2 ** 31 });
      ended.push('send');
    })(),
    tasklet(() => {
      select([onReceive(channel)], { timeout: 2 ** 31 + 1 });
      ended.push('select');
    })(),
  ];
  run();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(ended, [], 'nothing timed out after 100 ms');
  for (const waiter of waiters) waiter.kill();
  run();
  t.equal(getruncount(), 1);
  t.end();
});
