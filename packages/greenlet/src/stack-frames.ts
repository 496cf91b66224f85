import { core } from '@stackless/native';

// Which frames `captureStack()` shows, and how many.

const libraryPrefixes: string[] = [];

/**
 * Leaves the frames of the modules in the directory of `moduleUrl`
 * (a package's `import.meta.url`) out of `captureStack()`. Each stackless
 * package registers its own directory at load.
 */
export function hideFramesOf(moduleUrl: string): void {
  const directory = new URL('./', moduleUrl).href;
  if (libraryPrefixes.includes(directory)) return;
  libraryPrefixes.push(directory);
  core.setLibraryPrefixes(libraryPrefixes);
}

/**
 * `Error.stackTraceLimit` as V8 applies it (0 when it is not a number), read
 * without calling a getter someone may have put there.
 */
export function frameLimit(): number {
  const limit: unknown = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.value;
  if (typeof limit !== 'number' || !(limit > 0)) return 0;
  return limit >= 0xffffffff ? 0xffffffff : Math.floor(limit);
}
