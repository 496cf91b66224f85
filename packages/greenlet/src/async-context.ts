// Node's async context (AsyncLocalStorage stores, the async-id stack) is one
// per thread, but each greenlet must have its own: a store set in one greenlet
// must not be seen by another, and the async-id stack must stay LIFO.
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';

import { GreenletError } from './errors.js';

type Storage = AsyncLocalStorage<unknown>;

/** The AsyncLocalStorage stores of one greenlet while it is not running. */
export type SavedStores = ReadonlyMap<Storage, unknown> | undefined;

// Storages in use. AsyncLocalStorage (the async_hooks implementation of Node
// 20 and 22) calls _enable() from every run() and enterWith(), so wrapping it
// finds each storage the first time it is given a store after this module
// loads. A registry is needed because Node offers no list of storages, and
// reading every store on the current async resource by symbol would cost a
// property enumeration per switch.
const storages = new Set<Storage>();

interface StorageInternals {
  _enable?: (this: Storage) => void;
  disable: (this: Storage) => void;
}
const prototype = AsyncLocalStorage.prototype as unknown as StorageInternals;
const enable = prototype._enable;
if (typeof enable === 'function') {
  const disable = prototype.disable;
  prototype._enable = function trackedEnable(this: Storage) {
    storages.add(this);
    enable.call(this);
  };
  prototype.disable = function trackedDisable(this: Storage) {
    storages.delete(this);
    disable.call(this);
  };
}

/** The stores visible now, for a greenlet switching out or being created. */
export function captureStores(): SavedStores {
  if (storages.size === 0) return undefined;
  const saved = new Map<Storage, unknown>();
  for (const storage of storages) saved.set(storage, storage.getStore());
  return saved;
}

/** Makes `saved` the visible stores again (absent ones read as undefined). */
export function restoreStores(saved: SavedStores): void {
  if (storages.size === 0) return;
  for (const storage of storages) {
    const store = saved?.get(storage);
    if (storage.getStore() !== store) storage.enterWith(store);
  }
}

/** The top of Node's async-id stack when a greenlet resumes. */
export function asyncScopeMark(): number {
  return executionAsyncId();
}

/**
 * A greenlet other than main may not switch away from inside an async scope it
 * opened (AsyncResource.runInAsyncScope and the like): the next greenlet to
 * leave a scope would pop this one's entry, which Node treats as a corrupted
 * async stack and ends the process. Main is exempt: while every other
 * greenlet obeys this rule, main finds its own scopes intact on resuming.
 */
export function checkNoOpenAsyncScope(mark: number): void {
  if (executionAsyncId() !== mark) {
    throw new GreenletError(
      'cannot switch away from a greenlet while it is inside an async scope it opened ' +
        '(AsyncResource.runInAsyncScope, a bound callback, ...): Node keeps one async-context ' +
        'stack per thread and switching here would corrupt it. Leave the scope before switching.',
    );
  }
}
