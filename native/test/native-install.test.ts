// How @stackless/native finds its compiled core once installed (issue 15):
// prebuilds named as node-gyp-build looks for them, the install script that
// builds from source only when none matches (and says in a few lines what is
// missing when it cannot), and the load errors that say what to do: under
// pnpm 10, which skips install scripts; for a binary built for another Node;
// when a bundler has copied index.js away from its binaries. Each case is a
// copy of the package's JavaScript in a temporary node_modules layout.
import t from 'tap';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

const native = fileURLToPath(new URL('../', import.meta.url));
const builtCore = join(native, 'build/Release/stackless.node');
const nodeGypBuild = dirname(createRequire(join(native, 'index.js')).resolve('node-gyp-build/package.json'));
const platform = `${process.platform}-${process.arch}`;
const otherPlatform = process.arch === 'x64' ? 'linux-arm64' : 'linux-x64';
const scratch = mkdtempSync(join(tmpdir(), 'stackless-install-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the package's JavaScript at `packageDir`, its node-gyp-build beside it. */
function installedCopy(packageDir: string, modulesDir: string): string {
  mkdirSync(packageDir, { recursive: true });
  for (const file of ['index.js', 'load.js', 'settings.js', 'testing.js', 'builds.js', 'install.js', 'package.json']) {
    copyFileSync(join(native, file), join(packageDir, file));
  }
  if (!realpathSync(modulesDir).startsWith(realpathSync(packageDir))) {
    mkdirSync(modulesDir, { recursive: true });
  }
  try {
    symlinkSync(realpathSync(nodeGypBuild), join(modulesDir, 'node-gyp-build'));
  } catch {}
  return packageDir;
}

function npmLayout(name: string): string {
  const project = join(scratch, name);
  return installedCopy(join(project, 'node_modules/@stackless/native'), join(project, 'node_modules'));
}

function load(packageDir: string) {
  return runChild(fixture('load-native-at.mjs'), [], [join(packageDir, 'index.js')]);
}

/** A folder whose PATH holds node alone: no compiler, no make, no python. */
const nodeOnly = join(scratch, 'node-only-bin');
mkdirSync(nodeOnly);
symlinkSync(process.execPath, join(nodeOnly, 'node'));

function runInstall(packageDir: string) {
  const env: NodeJS.ProcessEnv = { PATH: nodeOnly };
  // NODE_OPTIONS too: tap's preloads (and, under Node 26, their deprecation
  // warning on stderr) have no place in an install script's run.
  for (const name of ['NODE_OPTIONS', 'npm_config_node_gyp', 'CXX', 'MAKE', 'PYTHON', 'npm_config_python']) {
    env[name] = undefined;
  }
  return runChild(join(packageDir, 'install.js'), [], [], env, { cwd: packageDir, timeout: 120_000 });
}

t.test('a prebuild named for this Node ABI loads, and installing then builds nothing', (t) => {
  const packageDir = npmLayout('prebuilt');
  mkdirSync(join(packageDir, 'prebuilds', platform), { recursive: true });
  copyFileSync(builtCore, join(packageDir, 'prebuilds', platform, `node.abi${process.versions.modules}.glibc.node`));
  const install = runInstall(packageDir);
  expectExit(t, install);
  t.equal(install.stderr, '', 'the install script says nothing (and found no compiler to need)');
  const loaded = load(packageDir);
  expectExit(t, loaded);
  t.equal(loaded.stdout.trim(), 'loaded');
  t.end();
});

t.test('without a matching prebuild or a compiler, installing fails in a few lines of ours', (t) => {
  const packageDir = npmLayout('no-compiler');
  // A prebuild for the other platform only: named in the message, not loadable here.
  mkdirSync(join(packageDir, 'prebuilds', otherPlatform), { recursive: true });
  copyFileSync(builtCore, join(packageDir, 'prebuilds', otherPlatform, `node.abi${process.versions.modules}.glibc.node`));
  const install = runInstall(packageDir);
  expectExit(t, install, 1);
  const major = process.versions.node.split('.')[0];
  t.match(install.stderr, `no prebuilt binary matches Node ${process.versions.node} (ABI ${process.versions.modules}) on ${platform}`);
  t.match(install.stderr, 'needs a C++ compiler (g++ or clang++), make, python3');
  t.match(install.stderr, `prebuilt binaries ship for Node ${major} on ${otherPlatform}`);
  t.match(install.stderr, 'apt-get install g++ make python3');
  t.notMatch(install.stderr, /gyp (ERR|info)/, 'node-gyp was not run');
  const ours = install.stderr.slice(install.stderr.indexOf('@stackless/native:'));
  t.ok(ours.trim().split('\n').length <= 8, 'a few lines');
  t.end();
});

t.test('a matching prebuild that does not load (an older glibc, say) falls back to building', (t) => {
  const packageDir = npmLayout('prebuild-unloadable');
  mkdirSync(join(packageDir, 'prebuilds', platform), { recursive: true });
  const name = `node.abi${process.versions.modules}.glibc.node`;
  writeFileSync(join(packageDir, 'prebuilds', platform, name), 'not an ELF file\n');
  const install = runInstall(packageDir);
  expectExit(t, install, 1);
  t.match(install.stderr, `${name} does not load (`);
  t.match(install.stderr, 'building from source');
  t.match(install.stderr, 'needs a C++ compiler (g++ or clang++), make, python3');
  t.end();
});

t.test('an npm install without a build says to run npm rebuild', (t) => {
  const result = load(npmLayout('npm-unbuilt'));
  expectExit(t, result);
  t.match(result.stdout, `stackless: no native core for Node ${process.versions.node} (ABI ${process.versions.modules}) on ${platform}`);
  t.match(result.stdout, 'no prebuilt binaries ship in this package');
  t.match(result.stdout, '`npm rebuild @stackless/native`');
  t.notMatch(result.stdout, /pnpm/);
  t.end();
});

t.test('under pnpm, which skips unapproved install scripts, it says how to approve and rebuild', (t) => {
  const store = join(scratch, 'pnpm-project/node_modules/.pnpm/@stackless+native@0.1.0/node_modules');
  const result = load(installedCopy(join(store, '@stackless/native'), store));
  expectExit(t, result);
  t.match(result.stdout, 'stackless: no native core for Node');
  t.match(result.stdout, '`pnpm approve-builds`');
  t.match(result.stdout, '"pnpm.onlyBuiltDependencies"');
  t.match(result.stdout, '`pnpm rebuild @stackless/native`');
  t.end();
});

t.test('a binary built for another Node is named with both versions', (t) => {
  const packageDir = npmLayout('other-node');
  mkdirSync(join(packageDir, 'build/Release'), { recursive: true });
  // Not loadable (no ELF header), tagged as src/binding/addon.cc tags every build.
  writeFileSync(join(packageDir, 'build/Release/stackless.node'), 'stackless-built-for: node 99.1.2 abi 999;\n');
  const result = load(packageDir);
  expectExit(t, result);
  t.match(result.stdout, 'was built for Node 99.1.2 (ABI 999)');
  t.match(result.stdout, `but this is Node ${process.versions.node} (ABI ${process.versions.modules})`);
  t.match(result.stdout, '`npm rebuild @stackless/native`');
  t.end();
});

t.test('after a change of Node major, a prebuild for the new one wins over a stale build from source', (t) => {
  const packageDir = npmLayout('node-changed');
  mkdirSync(join(packageDir, 'build/Release'), { recursive: true });
  writeFileSync(join(packageDir, 'build/Release/stackless.node'), 'stackless-built-for: node 99.1.2 abi 999;\n');
  mkdirSync(join(packageDir, 'prebuilds', platform), { recursive: true });
  copyFileSync(builtCore, join(packageDir, 'prebuilds', platform, `node.abi${process.versions.modules}.glibc.node`));
  const result = load(packageDir);
  expectExit(t, result);
  t.equal(result.stdout.trim(), 'loaded');
  t.end();
});

t.test('a bundled copy of index.js says to keep the package out of the bundle', (t) => {
  const bundle = join(scratch, 'bundle/dist');
  mkdirSync(bundle, { recursive: true });
  copyFileSync(join(native, 'index.js'), join(bundle, 'index.js'));
  for (const file of ['load.js', 'settings.js', 'builds.js']) copyFileSync(join(native, file), join(bundle, file));
  symlinkSync(realpathSync(join(native, 'node_modules')), join(bundle, 'node_modules'));
  const result = load(bundle);
  expectExit(t, result);
  t.match(result.stdout, 'stackless: @stackless/native was bundled');
  t.match(result.stdout, '--external:@stackless/native');
  t.notMatch(result.stdout, /rebuild/);
  t.end();
});
