// STACKLESS_LOG is a debug setting: a value that is no log level must not
// take the application down, only say so once and log nothing.
import t from 'tap';
import { logLevelFrom } from '../src/observe.js';
import { runProcess } from '@stackless/test-support';

const entry = new URL('../dist/index.js', import.meta.url).href;
const program = `
  const { run, tasklet } = await import(${JSON.stringify(entry)});
  tasklet(() => {})();
  run();
  console.log('ran');
`;

function runWith(setting: string) {
  const child = runProcess(process.execPath, ['--input-type=module', '-e', program], {
    env: { STACKLESS_LOG: setting },
    timeout: 60_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

for (const setting of ['verbose', '1', 'true', 'toString', '__proto__']) {
  t.test(`STACKLESS_LOG=${setting}: the program runs and nothing is logged`, (t) => {
    const { status, stdout, stderr } = runWith(setting);
    t.equal(status, 0);
    t.equal(stdout, 'ran\n');
    t.notMatch(stderr, /"level":/, 'nothing logged');
    t.end();
  });
}

t.test('a level in any case logs at that level', (t) => {
  const { status, stderr } = runWith('Debug');
  t.equal(status, 0);
  t.match(stderr, /"msg":"created"/);
  t.notMatch(stderr, /Warning/);
  t.end();
});

t.test('a value that is no level gives one STACKLESS_LOG_LEVEL warning and means silent', async (t) => {
  const warnings: Array<Error & { code?: string }> = [];
  const collect = (warning: Error) => warnings.push(warning);
  process.on('warning', collect);
  try {
    for (const setting of ['verbose', '1', 'toString', '__proto__']) {
      warnings.length = 0;
      t.equal(logLevelFrom(setting), 'silent', setting);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => w.code === 'STACKLESS_LOG_LEVEL');
      t.equal(ours.length, 1, `${setting}: ${warnings.map((w) => `${w.code}: ${w.message}`).join('; ')}`);
      t.ok(ours[0]?.message.includes(JSON.stringify(setting)), ours[0]?.message);
    }
  } finally {
    process.off('warning', collect);
  }
  t.equal(logLevelFrom(' Trace '), 'trace');
  t.equal(logLevelFrom(undefined), 'silent');
  t.end();
});
