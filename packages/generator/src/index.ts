/**
 * Generators whose nested calls can yield: `generator(fn)` makes a standard
 * Generator out of an ordinary function, and `yieldValue()` produces values
 * from any depth below it. Built on `@stackless/greenlet`; see
 * docs/generator.md.
 *
 * @packageDocumentation
 */
import './thread.js';

export { generator } from './generator.js';
export { yieldValue } from './yield-value.js';
