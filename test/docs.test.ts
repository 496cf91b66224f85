// Every ```js example in docs/ runs, and passes its own assertions. Each runs
// in a child process from inside this package, so that '@stackless/...'
// imports resolve as they would in a user's project.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
      const env = { ...process.env };
      delete env.NODE_V8_COVERAGE;
      const child = spawnSync(process.execPath, [script], { encoding: 'utf8', env, timeout: 60_000 });
      t.equal(child.signal, null, 'no crash');
      t.equal(child.status, 0, child.stderr || 'exits cleanly');
      t.end();
    });
  });
}
