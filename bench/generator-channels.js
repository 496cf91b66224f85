// A minimal channel scheduler for generator-based tasks, the baseline the
// channel benchmarks compare with: tasks yield ['send', channel, value],
// ['recv', channel] or ['spawn', task]; unbuffered rendezvous semantics.

export class GeneratorChannel {
  senders = [];
  receivers = [];
}

/** Runs generator tasks round-robin until none is runnable. */
export function runTasks(initial) {
  const ready = initial.map((task) => ({ task, value: undefined }));
  for (let head = 0; head < ready.length; head++) {
    const entry = ready[head];
    const step = entry.task.next(entry.value);
    if (head > 4096 && head * 2 > ready.length) {
      ready.splice(0, head + 1);
      head = -1;
    }
    if (step.done) continue;
    const [op, channel, value] = step.value;
    if (op === 'spawn') {
      ready.push({ task: channel, value: undefined }, { task: entry.task, value: undefined });
    } else if (op === 'send') {
      const receiver = channel.receivers.shift();
      if (receiver) {
        receiver.value = value;
        ready.push(receiver, { task: entry.task, value: undefined });
      } else {
        channel.senders.push({ task: entry.task, value });
      }
    } else {
      const sender = channel.senders.shift();
      if (sender) {
        ready.push({ task: entry.task, value: sender.value }, { task: sender.task, value: undefined });
      } else {
        channel.receivers.push({ task: entry.task, value: undefined });
      }
    }
  }
}
