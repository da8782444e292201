// Starts the real local stack (bin/vehicled) on a free port with a throwaway cache for the browser
// suite, and stops it afterwards. The URL comes from the banner's first line, as a person reads it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
  }
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function waitForURL(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`vehicled did not print its URL within 90 s:\n${out}\n${log.join('')}`)), 90_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /^Open (http:\/\/\S+\/) in a browser/m.exec(out.trimStart().split('\n')[0] ?? '');
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vehicled exited with ${code}:\n${out}\n${log.join('')}`));
    });
  });
}

export default async function setup(project: TestProject) {
  const bin = join(root, 'bin', 'vehicled');
  if (!existsSync(bin)) throw new Error('bin/vehicled is missing: run `make site-test` (it builds it)');
  if (!existsSync(join(root, 'frontend', 'dist', 'index.html'))) throw new Error('frontend/dist is missing: run `make site`');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'site-e2e-'));
  const log: string[] = [];
  const child = spawn(bin, [], {
    cwd: root,
    env: { ...process.env, PORT: String(port), SFN_PORT: '0', DEMO_LISTINGS: 'off', DATA_DIR: dataDir, CHAOS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (b: Buffer) => {
    log.push(b.toString());
    if (log.length > 200) log.shift();
  });
  const url = await waitForURL(child, log);
  project.provide('baseURL', url.replace(/\/$/, ''));

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGINT'); // vehicled stops dynalite and the simulators on SIGINT
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}
