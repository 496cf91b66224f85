// The package's one piece of work at import: this thread's scheduler is set
// up before anything else of the package runs, in this order. Every entry
// point (index.ts, internal.ts) imports this module first; no other module
// does work at import. The scheduler is usable only once main is installed.
import { hideFramesOf } from '@stackless/greenlet/internal';

import { deliverOutcomesOnEnd } from './join.js';
import { initMain } from './scheduler.js';
import { killTaskletsAtExit } from './shutdown.js';
import { createMainTasklet } from './tasklet.js';

function startThread(): void {
  hideFramesOf(import.meta.url);
  // Before any tasklet can end.
  deliverOutcomesOnEnd();
  // main is the running tasklet and the run queue's first entry.
  initMain(createMainTasklet().core);
  // After the greenlet layer's exit handler, which it goes ahead of.
  killTaskletsAtExit();
}

startThread();
