/** One STACKLESS_* environment variable. */
export interface SettingEntry {
  name: string;
  /** Its key in {@link Settings}. */
  key: keyof Omit<Settings, 'raw'>;
  /** The default, as the README's table of variables states it. */
  default: string;
  effect: string;
  /** The shortcut it switches (see `diagnostics.shortcuts()`), if it is such a switch. */
  shortcut?: string;
  read(raw: string): unknown;
}

/** Every variable, parsed; undefined where unset or empty. */
export interface Settings {
  stackSize: number | undefined;
  stackGuard: 'auto' | 'mprotect' | undefined;
  directRestore: boolean | undefined;
  debugWalkBypass: boolean | undefined;
  debugStepGuard: boolean | undefined;
  scavengeSkip: boolean | undefined;
  log: string | undefined;
  /** The values as set. */
  raw: Readonly<Record<keyof Omit<Settings, 'raw'>, string | undefined>>;
}

export declare const settingsTable: readonly SettingEntry[];
export declare function readSettings(env?: NodeJS.ProcessEnv): Readonly<Settings>;
