// Node's async context (AsyncLocalStorage stores, the async-id stack) is one
// per thread, but each greenlet must have its own: a store set in one greenlet
// must not be seen by another, and the async-id stack must stay LIFO.
import { AsyncLocalStorage, executionAsyncId } from 'node:async_hooks';

import { GreenletError } from './errors.js';

type Storage = AsyncLocalStorage<unknown>;

/** The AsyncLocalStorage stores of one greenlet while it is not running. */
export type SavedStores = ReadonlyMap<Storage, unknown> | undefined;

// Storages in use: each is added the first time it is given a store after
// the package loads. A registry is needed because Node offers no list of
// storages, and reading every store on the current async resource by symbol
// would cost a property enumeration per switch. Node 20 and 22's
// AsyncLocalStorage (async_hooks based) passes every run() and enterWith()
// through _enable(); Node 24's (AsyncContextFrame based) has no _enable, so
// there the public methods that set a store are wrapped instead.
const storages = new Set<Storage>();
/** Whether any storage is in use: a flag the switch path reads without a call. */
export let storagesInUse = false;

type Method = (this: Storage, ...args: unknown[]) => unknown;

/** Wraps the methods of AsyncLocalStorage that give or take a store, to keep {@link storages}; once per thread (thread.ts). */
export function watchAsyncLocalStorages(): void {
  const prototype = AsyncLocalStorage.prototype as unknown as Record<string, Method | undefined>;
  const settingStore = typeof prototype._enable === 'function' ? ['_enable'] : ['run', 'enterWith', 'withScope'];
  for (const name of settingStore) {
    const method = prototype[name];
    if (typeof method !== 'function') continue;
    prototype[name] = {
      [name](this: Storage, ...args: unknown[]) {
        storages.add(this);
        storagesInUse = true;
        return method.apply(this, args);
      },
    }[name];
  }
  const disable = prototype.disable!;
  prototype.disable = {
    disable(this: Storage) {
      storages.delete(this);
      storagesInUse = storages.size > 0;
      return disable.call(this);
    },
  }.disable;
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
