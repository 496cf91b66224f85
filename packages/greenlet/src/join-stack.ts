import { core } from '@stackless/native';

/**
 * Lets the core find V8's join stack (native/src/v8/join_stack.h), so that it
 * can refuse a switch from inside Array.prototype.join: the stack is shared
 * by all greenlets and would keep the suspended join's array. The core looks
 * from inside a nested join of two known arrays, then checks it is empty.
 */
export function verifyJoinStack(): void {
  const inner: unknown[] = [];
  const outer = [inner];
  inner.push({
    toString(): string {
      core.locateJoinStack(outer, inner);
      return '';
    },
  });
  outer.join();
  core.confirmJoinStack();
}
