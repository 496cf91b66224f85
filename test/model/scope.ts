// A scope in the model (docs/structured.md, "The rules"; Trio's nursery and
// cancel scope): the tasklet running its body, its children, the scopes
// opened inside it, and how it was cancelled.
import type { Outcome } from './trace.js';
import type { ModelTasklet } from './tasklet.js';
import { WaitQueue } from './wait-queue.js';

/** s.cancel(); an error (of the body or a child); an enclosing scope's cancellation; a kill of the body's tasklet. */
export type Cancellation = 'cancel' | 'error' | 'parent' | 'exit';

export class ModelScope {
  /** Spawn order. */
  readonly children: ModelTasklet[] = [];
  /** Scopes opened in the body or in the children, in the order they were opened. */
  readonly inner: ModelScope[] = [];
  /** In the order they were thrown. */
  readonly errors: Outcome[] = [];
  cancelled: Cancellation | undefined;
  /** scope() has returned or thrown: cancelling it changes nothing. */
  ended = false;
  /** A kill's TaskletExit reached the body: scope() throws it on once the children are dead. */
  rethrowExit = false;
  /** The body, done, waiting for the children: no cancellation point. */
  readonly childrenWait = new WaitQueue(false);

  constructor(
    /** The pc of its scopeBegin in the owner's ops. */
    readonly begin: number,
    readonly owner: ModelTasklet,
    readonly parent: ModelScope | undefined,
  ) {}

  get liveChildren(): ModelTasklet[] {
    return this.children.filter((c) => !c.dead);
  }
}
