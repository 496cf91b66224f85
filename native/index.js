// Loads the compiled core for this Node.js build (node-gyp-build picks a
// prebuild if one matches, else build/Release).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const loadBinding = require('node-gyp-build');

/** @type {import('./index.js').NativeCore} */
export const core = loadBinding(dirname(fileURLToPath(import.meta.url)));
