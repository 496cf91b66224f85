// The install script of @stackless/native. A prebuilt binary that matches
// this Node.js and platform (prebuilds/, node-gyp-build's convention) means
// nothing to do; otherwise the core is built from source with node-gyp, and
// when the tools for that are missing this says so in a few lines instead of
// letting node-gyp fail at length.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePrebuilds } from './builds.js';

const require = createRequire(import.meta.url);
const directory = dirname(fileURLToPath(import.meta.url));
const platform = `${process.platform}-${process.arch}`;
const target = `Node ${process.versions.node} (ABI ${process.versions.modules}) on ${platform}`;

if (process.env.npm_config_build_from_source !== 'true' && matchingBuildLoads()) process.exit(0);
process.exit(buildFromSource());

/** Whether a prebuild (or an earlier build) for this Node and platform is there and loads. */
function matchingBuildLoads() {
  let file;
  try {
    file = require('node-gyp-build').resolve(directory);
  } catch {
    return false; // none matches
  }
  try {
    require(file);
    return true;
  } catch (error) {
    const message = String(error?.message ?? error);
    // The core loaded and refused to run for a reason of its own (a setting,
    // an unsupported V8): a build from source would refuse the same way.
    if (message.startsWith('stackless: ') && !message.includes('was built for Node')) return true;
    console.error(`@stackless/native: ${file} does not load (${message.split('\n')[0]}); building from source`);
    return false;
  }
}

function buildFromSource() {
  const nodeGyp = findNodeGyp();
  const missing = [];
  if (!findCompiler()) missing.push('a C++ compiler (g++ or clang++)');
  if (!onPath(process.env.MAKE || 'make')) missing.push('make');
  if (!findPython()) missing.push('python3');
  if (!nodeGyp) missing.push('node-gyp');
  if (missing.length > 0) {
    console.error(
      [
        `@stackless/native: no prebuilt binary matches ${target}, and building one from source needs ` +
          `${missing.join(', ')}, not found on PATH.`,
        `  (${describePrebuilds(directory)}): run a Node.js listed there,`,
        '  or install the build tools and install again:',
        '    Debian/Ubuntu: apt-get install g++ make python3',
        '    Fedora/RHEL:   dnf install gcc-c++ make python3',
        '    Alpine:        apk add g++ make python3',
        ...(nodeGyp ? [] : ['    node-gyp:      npm install -g node-gyp']),
      ].join('\n'),
    );
    return 1;
  }
  console.error(`@stackless/native: no prebuilt binary matches ${target}; building from source (about a minute)`);
  // Warnings are errors in a checkout of the repository (its own builds);
  // never in an installed package, where a newer compiler must not fail it.
  const checkout = !directory.split(sep).includes('node_modules');
  const args = [...nodeGyp, 'rebuild', ...(checkout ? ['--stackless_werror=true'] : [])];
  const build = spawnSync(args[0], args.slice(1), { cwd: directory, stdio: 'inherit' });
  if (build.status === 0) return 0;
  console.error(
    `@stackless/native: building from source failed (node-gyp's output is above). ` +
      `(${describePrebuilds(directory)}.)`,
  );
  return build.status ?? 1;
}

/** The command that runs node-gyp: ours (a checkout), npm's or pnpm's, or one on PATH. */
function findNodeGyp() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {}
  const fromPackageManager = process.env.npm_config_node_gyp;
  if (fromPackageManager && exists(fromPackageManager, constants.F_OK)) {
    return fromPackageManager.endsWith('.js') ? [process.execPath, fromPackageManager] : [fromPackageManager];
  }
  const onPathNodeGyp = onPath('node-gyp');
  return onPathNodeGyp ? [onPathNodeGyp] : undefined;
}

function findCompiler() {
  const configured = process.env.CXX?.trim().split(/\s+/)[0];
  if (configured) return onPath(configured);
  return onPath('c++') || onPath('g++') || onPath('clang++');
}

function findPython() {
  const configured = process.env.npm_config_python || process.env.PYTHON;
  if (configured) return onPath(configured);
  return onPath('python3') || onPath('python');
}

/** The executable `command` resolves to (a path, or a name looked up on PATH), or undefined. */
function onPath(command) {
  if (command.includes('/')) return exists(command) ? command : undefined;
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder && exists(join(folder, command))) return join(folder, command);
  }
  return undefined;
}

function exists(file, mode = constants.X_OK) {
  try {
    accessSync(file, mode);
    return true;
  } catch {
    return false;
  }
}
