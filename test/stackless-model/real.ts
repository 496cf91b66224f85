// Runs a generated program on the real packages, writing the same trace as
// the model: one event each time a tasklet completes an operation.
import { Channel, onReceive, onSend, select } from '@stackless/channels';
import { Tasklet, TaskletExit, getruncount, run, schedule, scheduleRemove, tasklet } from '@stackless/tasklets';

import { InjectedError, MAX_TASKLETS, type Op, type Outcome, type Program, describeError, describeResult, epilogue } from './program.js';

export function runReal(program: Program): Outcome {
  const trace: string[] = [];
  const channels = program.channels.map(({ capacity, preference }) => {
    const channel = new Channel<number>({ capacity });
    channel.preference = preference;
    return channel;
  });
  const created: Tasklet[] = [];

  const perform = (op: Op): unknown => {
    switch (op.kind) {
      case 'send':
        channels[op.channel]!.send(op.value);
        return undefined;
      case 'receive':
        return channels[op.channel]!.receive();
      case 'select': {
        const cases = op.cases.map((c) => (c.send !== undefined ? onSend(channels[c.channel]!, c.send) : onReceive(channels[c.channel]!)));
        const { index, value, closed } = select(cases);
        return closed ? { index, closed } : { index, value };
      }
      case 'schedule':
        schedule();
        return undefined;
      case 'scheduleRemove':
        scheduleRemove();
        return undefined;
      case 'kill':
      case 'throw':
      case 'insert':
      case 'run': {
        const target = created[op.target - 1];
        if (target === undefined) return 'none';
        if (op.kind === 'kill') target.kill();
        else if (op.kind === 'throw') target.throw(new InjectedError());
        else if (op.kind === 'insert') target.insert();
        else target.run();
        return undefined;
      }
      case 'close':
        channels[op.channel]!.close();
        return undefined;
      case 'open':
        channels[op.channel]!.open();
        return undefined;
      case 'spawn':
        if (created.length >= MAX_TASKLETS) return 'none';
        spawn(program.spawnable[op.program] ?? []);
        return undefined;
      case 'runAll':
        run();
        return undefined;
    }
  };

  /** Runs `ops` as tasklet (or main) number `id`. */
  const interpret = (id: number, ops: Op[]) => {
    for (let pc = 0; pc < ops.length; pc++) {
      try {
        trace.push(`${id}:${pc}:${describeResult(perform(ops[pc]!))}`);
      } catch (error) {
        if (error instanceof TaskletExit && id !== 0) {
          trace.push(`${id}:${pc}:exit`);
          throw error;
        }
        trace.push(`${id}:${pc}:${describeError(error)}`);
      }
    }
  };

  const spawn = (ops: Op[]) => {
    const id = created.length + 1;
    created.push(
      tasklet(() => {
        interpret(id, ops);
        trace.push(`${id}:${ops.length}:end`);
      })(),
    );
  };

  for (const ops of program.tasklets) spawn(ops);
  // select() starts at a random case; the model takes the first ready one.
  const random = Math.random;
  Math.random = () => 0;
  try {
    interpret(0, [...program.main, ...epilogue()]);
  } finally {
    Math.random = random;
  }
  return {
    trace,
    channels: channels.map((c) => ({ balance: c.balance, length: c.length, closing: c.closing, closed: c.closed })),
    runCount: getruncount(),
  };
}
