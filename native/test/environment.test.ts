// The core's on/off switches in the environment accept the usual spellings
// of off and on, and refuse anything else at load instead of taking it as
// "on" (issue 14, item 9: STACKLESS_DIRECT_RESTORE=false used to be ignored).
import t from 'tap';
import { expectExit, fixtureIn, runChild } from '@stackless/test-support';

const fixture = fixtureIn(import.meta.url);

const switches = {
  STACKLESS_DIRECT_RESTORE: 'directRestore',
  STACKLESS_DEBUG_WALK_BYPASS: 'debugWalkBypass',
  STACKLESS_SCAVENGE_SKIP: 'scavengeSkip',
  STACKLESS_DEBUG_STEP_GUARD: 'debugStepGuard',
} as const;

interface Shortcut {
  status: string;
  reason: string;
}
type Seen = Partial<Record<(typeof switches)[keyof typeof switches], Shortcut>> & {
  error?: { name: string; message: string };
};

function load(env: NodeJS.ProcessEnv): Seen {
  const result = runChild(fixture('environment-switches.mjs'), [], [], env);
  if (result.signal !== null || result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim()) as Seen;
}

/** Turned off by its variable, as each component reports it. */
function offByRequest(shortcut: Shortcut | undefined, variable: string): boolean {
  if (shortcut === undefined || shortcut.status !== 'off') return false;
  return shortcut.reason === 'disabled by request' || shortcut.reason.startsWith(`${variable}=`);
}

for (const [variable, name] of Object.entries(switches)) {
  t.test(`${variable}: every spelling of off turns it off`, (t) => {
    for (const value of ['0', 'off', 'false', 'no', 'OFF', 'False']) {
      const seen = load({ [variable]: value });
      t.equal(seen.error, undefined, `${variable}=${value} loads`);
      t.ok(offByRequest(seen[name], variable), `${variable}=${value} is off`, { seen: seen[name] });
    }
    t.end();
  });

  t.test(`${variable}: on, or unset, leaves it to the core`, (t) => {
    for (const value of ['1', 'on', 'true', 'yes', '']) {
      const seen = load({ [variable]: value });
      t.equal(seen.error, undefined, `${variable}=${value} loads`);
      t.notOk(offByRequest(seen[name], variable), `${variable}=${value} is not turned off`, { seen: seen[name] });
    }
    t.end();
  });

  t.test(`${variable}: anything else is refused at load, naming the variable`, (t) => {
    for (const value of ['maybe', '2', 'of']) {
      const seen = load({ [variable]: value });
      t.equal(seen.error?.name, 'RangeError', `${variable}=${value} is a RangeError`);
      t.match(seen.error?.message ?? '', `${variable} must be 0, off, false or no`);
      t.match(seen.error?.message ?? '', `not '${value}'`);
    }
    t.end();
  });
}

t.test('the load error of a @stackless/greenlet import is the same RangeError', (t) => {
  const result = runChild(fixture('load-refused.mjs'), [], [], { STACKLESS_DIRECT_RESTORE: 'nope' });
  expectExit(t, result);
  t.match(result.stdout, /^stackless: STACKLESS_DIRECT_RESTORE must be 0, off, false or no/);
  t.notMatch(result.stdout, /rebuild/);
  t.end();
});
