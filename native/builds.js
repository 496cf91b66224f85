// What the compiled cores in this package were built for, read from the files
// themselves (each carries a "stackless-built-for: node <version> abi <n>;"
// string, see src/addon.cc). Used by install.js and by index.js's messages.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const BUILT_FOR = /stackless-built-for: node ([\d.]+) abi (\d+);/;

/** `{ node, abi }` of the compiled core in `file`, or undefined if unreadable or untagged. */
export function builtFor(file) {
  try {
    const match = BUILT_FOR.exec(readFileSync(file).toString('latin1'));
    return match ? { node: match[1], abi: match[2] } : undefined;
  } catch {
    return undefined;
  }
}

/** The prebuilt binaries shipped in `directory`/prebuilds: `[{ platform, node, abi, file }]`. */
export function prebuilds(directory) {
  const found = [];
  const root = join(directory, 'prebuilds');
  for (const platform of readdirOrEmpty(root)) {
    for (const name of readdirOrEmpty(join(root, platform))) {
      if (!name.endsWith('.node')) continue;
      const file = join(root, platform, name);
      const tag = builtFor(file);
      if (tag) found.push({ platform, ...tag, file });
    }
  }
  return found.sort((a, b) => a.platform.localeCompare(b.platform) || Number(a.abi) - Number(b.abi));
}

/**
 * "prebuilt binaries ship for Node 20, 22, 24 and 26 on linux-x64; Node 22, 24
 * and 26 on linux-arm64", or "no prebuilt binaries ship in this package".
 */
export function describePrebuilds(directory) {
  const majors = new Map();
  for (const { platform, node } of prebuilds(directory)) {
    majors.set(platform, [...(majors.get(platform) ?? []), node.split('.')[0]]);
  }
  if (majors.size === 0) return 'no prebuilt binaries ship in this package';
  return 'prebuilt binaries ship for ' + [...majors].map(([platform, list]) => `Node ${joinList(list)} on ${platform}`).join('; ');
}

function joinList(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function readdirOrEmpty(directory) {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
