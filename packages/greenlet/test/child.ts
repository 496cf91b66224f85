// Runs a fixture script in a child process, so that a crash (a signal) is a
// failed assertion instead of the end of the test run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export function runChild(
  script: string,
  nodeFlags: string[] = [],
  args: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): ChildResult {
  // Coverage makes every switch far slower and is not wanted in a child.
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_V8_COVERAGE;
  const result = spawnSync(process.execPath, [...nodeFlags, script, ...args], {
    encoding: 'utf8',
    env,
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
  };
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
