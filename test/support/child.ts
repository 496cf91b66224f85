// Runs node (or another program) in a child process, so that a crash (a
// signal) is a failed assertion instead of the end of the test run. The one
// place that decides how children run: without coverage, with a timeout and
// room for large output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to (or, as `undefined`, removed from) this process's environment; NODE_V8_COVERAGE is removed unless named here. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the child is killed (default 240 s). */
  timeout?: number;
  /** Working directory of the child (default this process's). */
  cwd?: string;
}

/** Resolves `fixtures/<name>` next to the test file whose `import.meta.url` is `testUrl`. */
export function fixtureIn(testUrl: string): (name: string) => string {
  return (name) => fileURLToPath(new URL(`./fixtures/${name}`, testUrl));
}

/** Runs `file` with `argv` and waits for it; never throws for how the child ended. */
export function runProcess(file: string, argv: string[], options: RunOptions = {}): ChildResult {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // Coverage makes every switch far slower and is not wanted in a child,
  // unless the caller asks for it by name.
  if (!(options.env && 'NODE_V8_COVERAGE' in options.env)) delete env.NODE_V8_COVERAGE;
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const result = spawnSync(file, argv, {
    encoding: 'utf8',
    env,
    timeout: options.timeout ?? 240_000,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
}

/** Runs `node [nodeFlags] script [args]` in a child process. */
export function runChild(
  script: string,
  nodeFlags: string[] = [],
  args: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
  options: Omit<RunOptions, 'env'> = {},
): ChildResult {
  return runProcess(process.execPath, [...nodeFlags, script, ...args], { ...options, env: extraEnv });
}

/** A one-line account of how a child ended, for assertion messages. */
export function describeExit(result: ChildResult): string {
  const how = result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
  return `${how}\nstdout: ${result.stdout.slice(-2000)}\nstderr: ${result.stderr.slice(-4000)}`;
}

/** Asserts the child ended by itself (no signal) with `status`; details only on failure. */
export function expectExit(t: Test, result: ChildResult, status = 0): void {
  const clean = result.signal === null && result.status === status;
  t.ok(clean, `child exited with code ${status}`, clean ? {} : { diagnostic: true, details: describeExit(result) });
}
