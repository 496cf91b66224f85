// The package's one piece of work at import: this thread's greenlets are set
// up before anything else of the package runs. Every entry point (index.ts,
// internal.ts) imports this module first; no other module does work at import.
import { startThread } from './greenlet.js';

startThread();
