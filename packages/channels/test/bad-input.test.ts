// Wrong arguments get a typed error that says what was expected, never an
// internal message.
import t from 'tap';
import { Channel, onReceive, onSend, select } from '@stackless/channels';
import { blockCurrent, tasklet, run, unblock, unblockAndRun, unblockThrow } from '@stackless/tasklets';

t.test('select() options must be an object', (t) => {
  const channel = new Channel<number>();
  for (const options of [null, 5, 'default']) {
    t.throws(() => select([onReceive(channel)], options as never), { name: 'TypeError', message: /options object/ }, String(options));
  }
  t.end();
});

t.test('onReceive() and onSend() take a channel', (t) => {
  for (const value of [1, null, undefined, {}, 'channel']) {
    t.throws(() => onReceive(value as never), { name: 'TypeError', message: /onReceive\(\) takes a Channel/ }, String(value));
    t.throws(() => onSend(value as never, 1), { name: 'TypeError', message: /onSend\(\) takes a Channel/ }, String(value));
  }
  t.end();
});

t.test('unblock(), unblockAndRun() and unblockThrow() take a tasklet', (t) => {
  for (const value of [{}, undefined, null, 1]) {
    t.throws(() => unblock(value as never), { name: 'TypeError', message: /unblock\(\) takes a Tasklet/ });
    t.throws(() => unblockAndRun(value as never), { name: 'TypeError', message: /unblockAndRun\(\) takes a Tasklet/ });
    t.throws(() => unblockThrow(value as never, new Error('x')), { name: 'TypeError', message: /unblockThrow\(\) takes a Tasklet/ });
  }
  t.end();
});

t.test('a fractional preference truncates toward 0 and never reads back as -0', (t) => {
  const channel = new Channel();
  channel.preference = -0.5;
  t.ok(Object.is(channel.preference, 0));
  channel.preference = 0.9;
  t.ok(Object.is(channel.preference, 0));
  channel.preference = -1.5;
  t.equal(channel.preference, -1);
  t.end();
});

// Found by test/bad-input.test.ts: building the message itself threw
// (String() of an object without a prototype), or a wrong type got a
// RangeError.
t.test('values that cannot be turned into strings are named, not converted', (t) => {
  const bare = Object.create(null) as never;
  const channel = new Channel();
  t.throws(() => (channel.preference = bare), { name: 'TypeError', message: /preference must be a number .*, not an object/ });
  t.throws(() => new Channel({ capacity: bare }), { name: 'TypeError', message: /capacity must be a number, not an object/ });
  t.throws(() => new Channel({ capacity: '3' as never }), { name: 'TypeError', message: /capacity must be a number, not "3"/ });
  t.throws(() => select([onReceive(channel)], { timeout: bare }), { name: 'TypeError', message: /timeout must be a number of milliseconds, not an object/ });
  t.throws(() => select([onReceive(channel)], { timeout: 10n as never }), { name: 'TypeError', message: /not 10n/ });
  t.end();
});

// Found by test/bad-input.test.ts: main blocked with an onCancel that was no
// function, and the tasklet that ended last crashed calling it.
t.test('blockCurrent() takes onCancel as a function', (t) => {
  tasklet(() => {})();
  t.throws(() => blockCurrent('waiting', {} as never), { name: 'TypeError', message: /onCancel as a function, not an object/ });
  run();
  t.end();
});
