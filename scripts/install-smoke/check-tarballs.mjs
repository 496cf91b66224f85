// Checks unpacked release tarballs (each a folder holding `package/`): a
// README and the LICENSE in each, no workspace: ranges and no tap config in
// package.json, every file that package.json or a source map names present,
// and the native core's prebuilt binaries. Usage: check-tarballs.mjs DIR...
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The files an `exports` field points at: its string leaves (the keys, such as "./internal", are subpaths). */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

const problems = [];
for (const unpacked of process.argv.slice(2)) {
  const root = join(unpacked, 'package');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const name = manifest.name;
  const problem = (text) => problems.push(`${name}: ${text}`);
  for (const file of ['README.md', 'LICENSE']) if (!existsSync(join(root, file))) problem(`no ${file}`);
  if (JSON.stringify(manifest).includes('workspace:')) problem('package.json has a workspace: range');
  if ('tap' in manifest) problem('package.json has a tap block');
  for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'engines', 'os', 'cpu', 'license']) {
    if (!(field in manifest)) problem(`package.json has no ${field}`);
  }
  const named = [manifest.main, manifest.types, ...exportTargets(manifest.exports)];
  for (const file of named.filter(Boolean)) {
    if (!existsSync(join(root, file))) problem(`package.json names ${file}, which is not in the tarball`);
  }
  let maps = 0;
  for (const file of walk(root).filter((path) => path.endsWith('.map'))) {
    maps++;
    const map = JSON.parse(readFileSync(file, 'utf8'));
    for (const source of map.sources) {
      const target = resolve(dirname(file), map.sourceRoot ?? '', source);
      if (!existsSync(target)) problem(`${relative(root, file)} points at ${source}, which is not in the tarball`);
    }
  }
  if (name === '@stackless/native') {
    const prebuilds = walk(join(root, 'prebuilds')).filter((path) => path.endsWith('.node'));
    if (prebuilds.length !== 7) problem(`${prebuilds.length} prebuilt binaries, expected 7`);
    if (!('install' in (manifest.scripts ?? {}))) problem('no install script');
  }
  console.log(`${name}: ${walk(root).length} files, ${maps} source maps checked`);
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}

function walk(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
