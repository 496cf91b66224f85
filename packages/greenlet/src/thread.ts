// The package's one piece of work at import: this thread's greenlets are set
// up before anything else of the package runs. Every entry point (index.ts,
// internal.ts) imports this module first; no other module does work at import.
import { settings } from '@stackless/native';

import { watchAsyncLocalStorages } from './async-context.js';
import { configureFromSettings } from './config.js';
import { startGreenlets } from './greenlet.js';
import { verifyJoinStack } from './join-stack.js';
import { hideFramesOf } from './stack-frames.js';

/** Sets this thread's greenlets up; a worker thread loads its own copy of the package. */
function startThread(): void {
  // Storages given a store from now on are known to the switch.
  watchAsyncLocalStorages();
  // Stack size and guard before the first stack is allocated.
  configureFromSettings(settings);
  hideFramesOf(import.meta.url);
  verifyJoinStack();
  const unwindAllAtExit = startGreenlets();
  // Suspended greenlets' finally blocks run when the thread ends, as Python does at shutdown.
  process.once('exit', unwindAllAtExit);
}

startThread();
