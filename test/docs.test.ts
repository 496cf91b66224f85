// Every ```js example in docs/ runs, and passes its own assertions. Each runs
// in a child process from inside this package, so that '@stackless/...'
// imports resolve as they would in a user's project.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChild } from '@stackless/test-support';

const docs = fileURLToPath(new URL('../docs/', import.meta.url));
const scratch = fileURLToPath(new URL('./.doc-examples/', import.meta.url));
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });

for (const file of readdirSync(docs).filter((name) => name.endsWith('.md'))) {
  const text = readFileSync(docs + file, 'utf8');
  const examples = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
  examples.forEach((code, index) => {
    t.test(`${file} example ${index + 1}`, (t) => {
      const script = `${scratch}${file.replace(/\.md$/, '')}-${index + 1}.mjs`;
      writeFileSync(script, code);
      const child = runChild(script, [], [], {}, { timeout: 60_000 });
      t.equal(child.signal, null, 'no crash');
      t.equal(child.status, 0, child.stderr || 'exits cleanly');
      t.end();
    });
  });
}

// Every ```ts example in the READMEs and docs/ type-checks under `strict`
// against the packages' published types, in one tsc run. Fragments (no
// import) become modules too, so that their names do not collide.
t.test('TypeScript examples type-check under strict', (t) => {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const sources = [
    'README.md',
    'native/README.md',
    ...readdirSync(root + 'packages').map((name) => `packages/${name}/README.md`),
    ...readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
  ];
  const typed = `${scratch}typed/`;
  mkdirSync(typed, { recursive: true });
  const files: string[] = [];
  for (const source of sources) {
    const text = readFileSync(root + source, 'utf8');
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((match, index) => {
      const file = `${typed}${source.replace(/\.md$/, '').replace(/\//g, '-')}-${index + 1}.ts`;
      writeFileSync(file, `${match[1]}\nexport {};\n`);
      files.push(file);
    });
  }
  t.ok(files.length >= 6, `found the TypeScript examples (${files.length})`);
  writeFileSync(
    `${typed}tsconfig.json`,
    JSON.stringify({
      extends: '../../../tsconfig.base.json',
      compilerOptions: { noEmit: true, strict: true, rootDir: '.', declaration: false, declarationMap: false },
      include: ['*.ts'],
    }),
  );
  const tsc = fileURLToPath(new URL('../node_modules/.bin/tsc', import.meta.url));
  const result = spawnSync(tsc, ['-p', `${typed}tsconfig.json`], { encoding: 'utf8', timeout: 120_000 });
  t.equal(result.status, 0, result.stdout + result.stderr || 'tsc found no errors');
  t.end();
});
