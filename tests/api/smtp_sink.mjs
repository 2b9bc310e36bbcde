// Starts tests/api/smtp_sink.py (Python's aiosmtpd) on a free port for the
// smtp tests: {port, messages, authAttempts, next(), drain(), pending(), stop()}.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitFor } from './fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// args: smtp_sink.py's options (--auth, --tls, --starttls). Resolves once it listens.
export async function startSink(args = []) {
  const proc = spawn(PYTHON, [path.join(here, 'smtp_sink.py'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const messages = [];
  const authAttempts = [];
  let taken = 0;
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`smtp_sink.py did not start:\n${stderr}`)), 15_000);
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = JSON.parse(line);
      if (m.ready) { clearTimeout(timer); resolve(m.ready); return; }
      if ('auth_attempt' in m) { authAttempts.push(m); return; }
      // Messages a test gave up on (a stop, a timeout) may still arrive later: not counted.
      if (!m.headers.some(([k, v]) => k === 'Subject' && v.startsWith('[drop]'))) messages.push(m);
    });
    exited.then((code) => { clearTimeout(timer); reject(new Error(`smtp_sink.py exited (${code}):\n${stderr}`)); });
  });
  return {
    port,
    messages,
    authAttempts,
    stderr: () => stderr,
    // The next message not yet taken by a test.
    async next(what = 'a message at the SMTP sink') {
      await waitFor(() => messages.length > taken, { what, timeout: 15_000 });
      return messages[taken++];
    },
    // Every message received so far is taken (none is pending).
    drain() { taken = messages.length; },
    pending() { return messages.length - taken; },
    async stop() {
      proc.stdin.end();
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
