// The package's one piece of work at import: this thread's scheduler is set
// up before anything else of the package runs, in this order. Every entry
// point (index.ts, internal.ts) imports this module first; no other module
// does work at import. The scheduler is usable only once it has started.
import { hideFramesOf } from '@stackless/greenlet/internal';

import { dump } from './dump.js';
import { deliverOutcome } from './join.js';
import { startScheduler } from './scheduler.js';
import { killTaskletsAtExit } from './shutdown.js';
import { createMainTasklet } from './tasklet.js';
import { reportBlocking } from './watchdog.js';

function startThread(): void {
  hideFramesOf(import.meta.url);
  // main is the running tasklet and the run queue's first entry.
  startScheduler(createMainTasklet().core, {
    taskletEnded: deliverOutcome,
    describeTasklets: dump,
    reportBlocking,
  });
  // After the greenlet layer's exit handler, which it goes ahead of.
  killTaskletsAtExit();
}

startThread();
