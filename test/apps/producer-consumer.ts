// Producers working at their own pace (sleep) feed a consumer through a
// buffered channel; the consumer notices stalls with a receive timeout and
// stops when no producer has anything left (the channel is closed).
import { Channel, ChannelTimeoutError } from '@stackless/channels';
import { sleep, tasklet } from '@stackless/tasklets';

export interface Report {
  received: Array<[producer: string, item: number]>;
  stalls: number;
}

/** Runs the producers and the consumer; resolves with what the consumer saw. */
export function produceAndConsume(
  producers: Array<{ name: string; items: number; everyMs: number; pauseAfter?: number; pauseMs?: number }>,
  stallMs: number,
): Promise<Report> {
  const queue = new Channel<[string, number]>({ capacity: 8 });
  let active = producers.length;
  for (const { name, items, everyMs, pauseAfter = Infinity, pauseMs = 0 } of producers) {
    tasklet(function producer() {
      for (let i = 0; i < items; i++) {
        sleep(i === pauseAfter ? pauseMs : everyMs);
        queue.send([name, i]);
      }
      if (--active === 0) queue.close();
    })();
  }
  return new Promise((resolve) => {
    tasklet(function consumer() {
      const report: Report = { received: [], stalls: 0 };
      for (;;) {
        try {
          report.received.push(queue.receive({ timeout: stallMs }));
        } catch (error) {
          if (error instanceof ChannelTimeoutError) {
            report.stalls++;
            continue;
          }
          break; // closed and drained: every producer is done
        }
      }
      resolve(report);
    })();
  });
}
