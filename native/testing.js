// Hooks of the native core that only tests use (@stackless/native/testing),
// kept out of the core's surface.
import './index.js';
import { binding } from './load.js';

/** @type {import('./testing.js').NativeTesting} */
export const testing = binding().testing;
