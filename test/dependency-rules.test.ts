// The dependency rules hold for the workspace (scripts/check-imports.js), and
// the checker catches each kind of break in a small made-up workspace,
// TypeScript imports and native includes alike.
import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain JavaScript script without declarations.
import { checkImports, layers, nativeLayers } from '../scripts/check-imports.js';

type Rules = {
  layers: Record<string, string[]>;
  nativeLayers?: Record<string, string[]>;
};
type Check = (root: string, rules?: Rules) => { errors: string[]; cycles: Array<[string, string[]]> };
const check = checkImports as Check;

t.test('the workspace keeps its dependency rules', (t) => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const { errors } = check(root);
  t.same(errors, [], 'no import cycle, no import across layers, no package left out');
  t.ok(Object.keys(layers as object).includes('@stackless/native'), 'native is a layer');
  t.end();
});

/** A workspace of `files` (path -> text) in a temporary directory. */
function workspace(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'stackless-imports-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const manifest = (name: string, dependencies: Record<string, string> = {}) => JSON.stringify({ name, dependencies });
const twoLayers: Rules = { layers: { '@stackless/native': [], '@stackless/low': ['@stackless/native'], '@stackless/high': ['@stackless/low'] } };

function base(): Record<string, string> {
  return {
    'native/package.json': manifest('@stackless/native'),
    'native/index.js': "export const core = {};\n",
    'packages/low/package.json': manifest('@stackless/low', { '@stackless/native': 'workspace:*' }),
    'packages/low/src/index.ts': "export { a } from './a.js';\n",
    'packages/low/src/a.ts': "import { core } from '@stackless/native';\nexport const a = core;\n",
    'packages/high/package.json': manifest('@stackless/high', { '@stackless/low': 'workspace:*' }),
    'packages/high/src/index.ts': "import { a } from '@stackless/low';\nexport const b = a;\n",
  };
}

t.test('a clean made-up workspace passes', (t) => {
  t.same(check(workspace(t, base()), twoLayers).errors, []);
  t.end();
});

t.test('a cycle between two files is found', (t) => {
  const root = workspace(t, {
    ...base(),
    'packages/low/src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'packages/low/src/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  });
  const { errors, cycles } = check(root, twoLayers);
  t.same(cycles, [['@stackless/low', ['src/a.ts', 'src/b.ts']]]);
  t.match(errors.join('\n'), /import cycle in @stackless\/low: src\/a\.ts -> src\/b\.ts/);
  t.end();
});

t.test('a cycle through three files, one import dynamic, one a re-export', (t) => {
  const root = workspace(t, {
    ...base(),
    'packages/low/src/a.ts': "export { b } from './b.js';\n",
    'packages/low/src/b.ts': "export const b = () => import('./c.js');\n",
    'packages/low/src/c.ts': "import { b } from './a.js';\nexport const c = b;\n",
  });
  t.same(check(root, twoLayers).cycles, [['@stackless/low', ['src/a.ts', 'src/b.ts', 'src/c.ts']]]);
  t.end();
});

t.test('a type-only import is erased: it makes no cycle, but still may not cross layers', (t) => {
  const root = workspace(t, {
    ...base(),
    'packages/low/src/a.ts': "import type { B } from './b.js';\nexport const a = 1 as unknown as B;\n",
    'packages/low/src/b.ts': "import { a } from './a.js';\nexport type B = typeof a;\n",
    'packages/low/src/up.ts': "import type { b } from '@stackless/high';\nexport type Up = typeof b;\n",
  });
  const { errors, cycles } = check(root, twoLayers);
  t.same(cycles, [], 'no cycle');
  t.same(errors, ['packages/low/src/up.ts imports @stackless/high; @stackless/low may import only @stackless/native']);
  t.end();
});

t.test('an import with a type among values still runs, and makes a cycle', (t) => {
  const root = workspace(t, {
    ...base(),
    'packages/low/src/a.ts': "import { type B, b } from './b.js';\nexport const a = b as B;\n",
    'packages/low/src/b.ts': "import { a } from './a.js';\nexport type B = () => unknown;\nexport const b = () => a;\n",
  });
  t.same(check(root, twoLayers).cycles, [['@stackless/low', ['src/a.ts', 'src/b.ts']]]);
  t.end();
});

t.test('importing past the layer below is refused, in code and in package.json', (t) => {
  const root = workspace(t, {
    ...base(),
    'packages/high/package.json': manifest('@stackless/high', { '@stackless/low': 'workspace:*', '@stackless/native': 'workspace:*' }),
    'packages/high/src/deep.ts': "export { core } from '@stackless/native';\n",
    'packages/low/src/up.ts': "const high = await import('@stackless/high/internal');\nexport default high;\n",
  });
  const { errors } = check(root, twoLayers);
  t.match(errors.join('\n'), /packages\/high\/src\/deep\.ts imports @stackless\/native/);
  t.match(errors.join('\n'), /@stackless\/high depends on @stackless\/native in package\.json/);
  t.match(errors.join('\n'), /packages\/low\/src\/up\.ts imports @stackless\/high\/internal/);
  t.end();
});

t.test('a package missing from the layers list is an error', (t) => {
  const root = workspace(t, { ...base(), 'packages/new/package.json': manifest('@stackless/new'), 'packages/new/src/index.ts': 'export {};\n' });
  t.match(check(root, twoLayers).errors.join('\n'), /@stackless\/new is missing from the layers list/);
  t.end();
});

const nativeRules: Rules = { ...twoLayers, nativeLayers: { core: ['stacks', 'v8'], stacks: [], v8: [] } };

function nativeBase(): Record<string, string> {
  return {
    ...base(),
    'native/src/README.md': '# map\n',
    'native/src/core/coroutines.cc': '#include "core/coroutines.h"\n#include <v8.h>\n',
    'native/src/core/coroutines.h': '#include "stacks/stack_pool.h"\n#include "v8/identity.h"\n',
    'native/src/stacks/stack_pool.h': '// #include "v8/identity.h" in a comment does not count\n#include <cstddef>\n',
    'native/src/v8/identity.h': '#pragma once\n',
  };
}

t.test('native includes that go down the layers pass', (t) => {
  t.same(check(workspace(t, nativeBase()), nativeRules).errors, []);
  t.end();
});

t.test('a native include up the layers is refused', (t) => {
  const root = workspace(t, { ...nativeBase(), 'native/src/stacks/stack_pool.h': '#include "v8/identity.h"\n' });
  t.match(
    check(root, nativeRules).errors.join('\n'),
    /native\/src\/stacks\/stack_pool\.h includes "v8\/identity\.h"; stacks may include only stacks/,
  );
  t.end();
});

t.test('a native include must name an existing file of a layer, and every file be in one', (t) => {
  const root = workspace(t, {
    ...nativeBase(),
    'native/src/core/coroutines.cc': '#include "coroutines.h"\n#include "v8/missing.h"\n',
    'native/src/loose.cc': '\n',
    'native/src/extra/thing.h': '\n',
  });
  const errors = check(root, nativeRules).errors.join('\n');
  t.match(errors, /core\/coroutines\.cc includes "coroutines\.h", which names no layer/);
  t.match(errors, /core\/coroutines\.cc includes "v8\/missing\.h", which does not exist/);
  t.match(errors, /native\/src\/loose\.cc is in no layer/);
  t.match(errors, /native\/src\/extra\/thing\.h is in no layer/);
  t.end();
});

t.test('the rule native/src/README.md states is the one the check enforces', (t) => {
  const readme = readFileSync(fileURLToPath(new URL('../native/src/README.md', import.meta.url)), 'utf8');
  const table = new Map(
    [...readme.matchAll(/^\| `([a-z0-9]+)` \| ((?:`[a-z0-9]+`(?:, )?)+|nothing) \|$/gm)].map((row) => [
      row[1],
      row[2] === 'nothing' ? [] : [...row[2].matchAll(/`([a-z0-9]+)`/g)].map((name) => name[1]),
    ]),
  );
  t.same(Object.fromEntries(table), nativeLayers, 'the README table of "may include" matches nativeLayers');
  t.end();
});
