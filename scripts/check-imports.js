// The dependency rules, checked from the sources: in the TypeScript packages
// no import cycles inside a package (through imports that run: a type-only
// import is erased, and orders nothing) and each package imports only the
// package below it (type-only imports included); in native/src each
// `#include "..."` names a folder its own layer may include
// (native/src/README.md). Run by CI (`node scripts/check-imports.js`) and by
// test/dependency-rules.test.ts. Prints each broken rule; exits 1 if any.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each package and the workspace packages it may import: the one below it. */
export const layers = {
  '@stackless/native': [],
  '@stackless/greenlet': ['@stackless/native'],
  '@stackless/tasklets': ['@stackless/greenlet'],
  '@stackless/channels': ['@stackless/tasklets'],
  '@stackless/generator': ['@stackless/greenlet'],
};

/**
 * The layers of native/src and the folders each may include besides its own
 * (native/src/README.md states the same rule).
 */
export const nativeLayers = {
  binding: ['core', 'shortcuts', 'v8', 'stacks', 'switch', 'base'],
  core: ['shortcuts', 'v8', 'stacks', 'switch', 'base'],
  shortcuts: ['v8', 'base'],
  v8: ['base'],
  stacks: ['base'],
  switch: [],
  base: [],
};

/** The `#include "..."` targets of a C or C++ source (not <...>, not in comments). */
export function includesOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...code.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)].map((match) => match[1]);
}

/** Broken native layer rules under `root`/native/src, as sentences. */
function checkNativeIncludes(root, layersOf) {
  const src = join(root, 'native', 'src');
  if (!existsSync(src)) return [];
  const errors = [];
  const files = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(cc|h|S|c)$/.test(entry.name)) files.push(relative(src, path).split(sep).join('/'));
    }
  };
  walk(src);
  for (const file of files.sort()) {
    const layer = file.includes('/') ? file.split('/')[0] : undefined;
    if (layer === undefined || !(layer in layersOf)) {
      errors.push(`native/src/${file} is in no layer of nativeLayers in scripts/check-imports.js`);
      continue;
    }
    const allowed = new Set([layer, ...layersOf[layer]]);
    for (const included of includesOf(readFileSync(join(src, file), 'utf8'))) {
      const target = included.includes('/') ? included.split('/')[0] : undefined;
      if (target === undefined || !(target in layersOf)) {
        errors.push(`native/src/${file} includes "${included}", which names no layer (write "<layer>/${included}")`);
      } else if (!existsSync(join(src, included))) {
        errors.push(`native/src/${file} includes "${included}", which does not exist`);
      } else if (!allowed.has(target)) {
        errors.push(`native/src/${file} includes "${included}"; ${layer} may include only ${[...allowed].join(', ')}`);
      }
    }
  }
  return errors;
}

/** The workspace's publishable packages: native and packages/*, by name. */
function packagesOf(root) {
  const dirs = [join(root, 'native')];
  const packagesDir = join(root, 'packages');
  if (existsSync(packagesDir)) {
    for (const name of readdirSync(packagesDir).sort()) dirs.push(join(packagesDir, name));
  }
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name }));
}

function sourcesOf(dir) {
  const files = [];
  const walk = (at) => {
    if (!existsSync(at)) return;
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(join(dir, 'src'));
  // native's JavaScript sits at its top level.
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    if (/\.(js|mjs)$/.test(entry)) files.push(join(dir, entry));
  }
  return files.sort();
}

/**
 * The modules a source file imports or re-exports, static or dynamic, each
 * with whether the statement is type-only (`import type`, `export type`).
 */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const found = [];
  const patterns = [
    /\b(?:import|export)\s+(type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*()['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*()['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*()['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push({ specifier: match[2], typeOnly: Boolean(match[1]) });
  }
  return found;
}

function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && !candidate.endsWith('/')) {
      try {
        readFileSync(candidate);
        return candidate;
      } catch {
        // a directory
      }
    }
  }
  return undefined;
}

/** Strongly connected components of more than one file, or a file importing itself. */
function cyclesOf(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return components;
}

/**
 * Checks the rules under `root`; returns the broken ones as sentences and the
 * cycles found (per package, package-relative paths).
 */
export function checkImports(root, rules = { layers }) {
  const errors = checkNativeIncludes(root, rules.nativeLayers ?? nativeLayers);
  const cycles = [];
  const packages = packagesOf(root);
  for (const { name } of packages) {
    if (!(name in rules.layers)) errors.push(`${name} is missing from the layers list of scripts/check-imports.js`);
  }
  for (const { dir, name } of packages) {
    const allowed = new Set(rules.layers[name] ?? []);
    const graph = new Map();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (dependency.startsWith('@stackless/') && !allowed.has(dependency)) {
        errors.push(`${name} depends on ${dependency} in package.json; it may use only ${[...allowed].join(', ') || 'no workspace package'}`);
      }
    }
    for (const file of sourcesOf(dir)) {
      const edges = new Set();
      graph.set(file, edges);
      for (const { specifier, typeOnly } of importsOf(readFileSync(file, 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = resolveRelative(file, specifier);
          // A type-only import is erased: it orders nothing at run time.
          if (target && !typeOnly) edges.add(target);
        } else if (specifier.startsWith('@stackless/')) {
          const imported = specifier.split('/').slice(0, 2).join('/');
          if (imported !== name && !allowed.has(imported)) {
            errors.push(`${relative(root, file)} imports ${specifier}; ${name} may import only ${[...allowed].join(', ') || 'no workspace package'}`);
          }
        }
      }
    }
    for (const component of cyclesOf(graph)) cycles.push([name, component.map((file) => relative(dir, file))]);
  }
  for (const [name, files] of cycles) errors.push(`import cycle in ${name}: ${files.join(' -> ')}`);
  return { errors, cycles };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const { errors } = checkImports(root);
  for (const error of errors) console.error(`check-imports: ${error}`);
  if (errors.length === 0) {
    console.log('check-imports: dependency rules hold (no import cycle, no import or include across layers)');
  }
  process.exitCode = errors.length === 0 ? 0 : 1;
}
