// Every STACKLESS_* environment variable, in one table: its default and how
// its value is read. Each layer applies the ones that concern it at its
// bootstrap (this package: the shortcut switches; @stackless/greenlet: the
// stack settings; @stackless/tasklets: the log), from the one reading that
// readSettings() makes; nothing else reads the environment. The README's
// table of variables is checked against this one (test/docs.test.ts).

const OFF = ['0', 'off', 'false', 'no'];
const ON = ['1', 'on', 'true', 'yes'];

/**
 * An on/off switch of the native core: true (on), false (off), or undefined
 * when unset or empty (the core decides). Any other spelling is refused, so
 * that none is silently taken as "on".
 */
function readSwitch(name, raw) {
  const value = raw.toLowerCase();
  if (ON.includes(value)) return true;
  if (OFF.includes(value)) return false;
  throw new RangeError(
    `stackless: ${name} must be 0, off, false or no (to turn it off), or 1, on, true or yes, not '${raw}'`,
  );
}

/** A switch that turns off one of the native core's shortcuts (shortcuts() names it `shortcut`). */
function shortcutSwitch(name, shortcut, effect) {
  return { name, key: shortcut, default: 'on', shortcut, effect, read: (raw) => readSwitch(name, raw) };
}

/**
 * The table. `key` names the value in readSettings()'s result; `default` is
 * what the README's table says the default is; `read(raw)` parses a set,
 * non-empty value (or throws a RangeError naming the variable).
 */
export const settingsTable = Object.freeze([
  {
    name: 'STACKLESS_STACK_SIZE',
    key: 'stackSize',
    default: '1 MiB',
    effect: 'usable stack size in bytes for new greenlets',
    // Its range is checked where it is applied, by greenlet's configure().
    read: (raw) => Number(raw),
  },
  {
    name: 'STACKLESS_STACK_GUARD',
    key: 'stackGuard',
    default: 'auto',
    effect: 'how stack guard pages are made',
    read(raw) {
      if (raw !== 'auto' && raw !== 'mprotect') {
        throw new RangeError(`STACKLESS_STACK_GUARD must be 'auto' or 'mprotect', not '${raw}'`);
      }
      return raw;
    },
  },
  shortcutSwitch('STACKLESS_DIRECT_RESTORE', 'directRestore', 'the switch that drives V8’s thread archive itself'),
  shortcutSwitch('STACKLESS_DEBUG_WALK_BYPASS', 'debugWalkBypass', 'the restore that skips V8’s debugger stack walk'),
  shortcutSwitch('STACKLESS_DEBUG_STEP_GUARD', 'debugStepGuard', 'the guard of debugger steps across a switch'),
  shortcutSwitch('STACKLESS_SCAVENGE_SKIP', 'scavengeSkip', 'scavenges that skip settled greenlets'),
  {
    name: 'STACKLESS_LOG',
    key: 'log',
    default: 'silent',
    effect: 'the tasklet scheduler’s debug log level',
    // Checked against pino's levels by @stackless/tasklets, which warns
    // instead of throwing: a typo in a debug setting must not stop a program.
    read: (raw) => raw,
  },
]);

/**
 * Each variable of the table, read from `env`: its parsed value, or undefined
 * when it is unset or empty. Throws the RangeError of the first unreadable one.
 */
export function readSettings(env = process.env) {
  const settings = {};
  const raw = {};
  for (const setting of settingsTable) {
    const value = env[setting.name];
    raw[setting.key] = value === '' ? undefined : value;
    settings[setting.key] = value === undefined || value === '' ? undefined : setting.read(value);
  }
  return Object.freeze({ ...settings, raw: Object.freeze(raw) });
}
