// The package's one piece of work at import, before anything else of it
// runs: its frames are left out of captureStack(). Every entry point imports
// this module first; no other module does work at import.
import { hideFramesOf } from '@stackless/greenlet/internal';

hideFramesOf(import.meta.url);
