// One table of every STACKLESS_* variable (native/settings.js): the README's
// table lists exactly its variables with its defaults, nothing else in the
// packages reads the environment for them, and the C++ reads none.
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSettings, settingsTable } from '@stackless/native/settings';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The README's "Environment variables" table: variable -> default. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Environment variables'));
  const rows = section.slice(0, section.indexOf('\n## ')).split('\n').filter((line) => line.startsWith('| `'));
  return new Map(
    rows.map((row) => {
      const [variable, defaultValue] = row.split('|').slice(1, 3).map((cell) => cell.trim().replace(/^`|`$/g, ''));
      return [variable!, defaultValue!];
    }),
  );
}

t.test("the README's table lists exactly the settings table's variables and defaults", (t) => {
  const documented = readmeTable();
  t.same(
    [...documented.entries()],
    settingsTable.map((setting) => [setting.name, setting.default]),
    'same names, defaults and order',
  );
  t.end();
});

t.test('keys are unique and every name is a STACKLESS_ variable', (t) => {
  t.equal(new Set(settingsTable.map((s) => s.key)).size, settingsTable.length);
  for (const setting of settingsTable) t.match(setting.name, /^STACKLESS_[A-Z_]+$/);
  t.end();
});

t.test('readSettings: unset or empty is undefined; values parsed; bad values a RangeError naming the variable', (t) => {
  const unset = readSettings({});
  for (const setting of settingsTable) t.equal(unset[setting.key], undefined, setting.name);
  t.equal(readSettings({ STACKLESS_DIRECT_RESTORE: '' }).directRestore, undefined);
  t.equal(readSettings({ STACKLESS_SCAVENGE_SKIP: 'OFF' }).scavengeSkip, false);
  t.equal(readSettings({ STACKLESS_SCAVENGE_SKIP: 'OFF' }).raw.scavengeSkip, 'OFF');
  t.equal(readSettings({ STACKLESS_DEBUG_STEP_GUARD: 'Yes' }).debugStepGuard, true);
  t.equal(readSettings({ STACKLESS_STACK_SIZE: '262144' }).stackSize, 262144);
  t.equal(readSettings({ STACKLESS_STACK_GUARD: 'mprotect' }).stackGuard, 'mprotect');
  t.equal(readSettings({ STACKLESS_LOG: 'debug' }).log, 'debug');
  t.throws(() => readSettings({ STACKLESS_DEBUG_WALK_BYPASS: 'maybe' }), {
    name: 'RangeError',
    message: "stackless: STACKLESS_DEBUG_WALK_BYPASS must be 0, off, false or no (to turn it off), or 1, on, true or yes, not 'maybe'",
  });
  t.throws(() => readSettings({ STACKLESS_STACK_GUARD: 'page' }), {
    name: 'RangeError',
    message: "STACKLESS_STACK_GUARD must be 'auto' or 'mprotect', not 'page'",
  });
  t.end();
});

/** Source files under `directory` whose name passes `keep`, not descending into node_modules, build or test. */
function sources(directory: string, keep: (name: string) => boolean): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory()) return ['node_modules', 'build', 'test', 'prebuilds'].includes(entry.name) ? [] : sources(path, keep);
    return entry.isFile() && keep(entry.name) ? [path] : [];
  });
}

t.test('nothing else reads the environment for a STACKLESS_ variable; the C++ calls no getenv', (t) => {
  const scripts = [
    ...sources(`${root}native`, (name) => name.endsWith('.js')),
    ...readdirSync(`${root}packages`).flatMap((name) => sources(`${root}packages/${name}/src`, (file) => file.endsWith('.ts'))),
  ];
  t.ok(scripts.length > 20, `read the sources (${scripts.length})`);
  for (const file of scripts) {
    if (file.endsWith('/native/settings.js')) continue;
    t.notMatch(readFileSync(file, 'utf8'), /process\.env(\.|\[['"`])STACKLESS_/, file);
  }
  const native = sources(`${root}native/src`, (name) => /\.(cc|h)$/.test(name));
  t.ok(native.length > 20, `read the C++ (${native.length})`);
  for (const file of native) t.notMatch(readFileSync(file, 'utf8'), /\bgetenv\s*\(/, file);
  t.end();
});
