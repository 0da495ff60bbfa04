// Node unloads an addon when the last worker thread that loaded it exits. libsmbclient's first
// failed name lookup opens Samba's gencache, whose tdb installs a SIGCHLD handler (forwarding to
// the previous one) and never removes it; once the addon was unloaded, the next child process to
// exit sent the process into unmapped code. The operator, which probes shares from short-lived
// workers while it runs child processes, crashed this way. A separate process, because a crash
// would take the test runner down; no Samba needed, the name fails before any traffic.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const module = (name: string) => JSON.stringify(fileURLToPath(new URL(name, import.meta.url)));

// The empty label makes the resolver refuse the name locally: no DNS query leaves the machine.
const SCRIPT = `
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { nativeContextOptions } from ${module('./connect-options.ts')};
import { SmbPool } from ${module('./pool.ts')};
const child = spawn('sleep', ['1']);
const exited = once(child, 'exit');
const options = { host: 'no-such-host..invalid', share: 'share', username: 'u', password: 'p' };
const failure = await SmbPool.open({
  context: nativeContextOptions(options),
  rootUrl: 'smb://no-such-host..invalid/share',
  workers: 1,
  operationTimeoutMs: 5000,
}).then(
  (pool) => pool.close().then(() => 'connected'),
  (error) => error.code,
);
const [code] = await exited;
process.stdout.write(JSON.stringify({ failure, childExitCode: code }));
`;

describe('the libsmbclient addon', () => {
  it('stays loaded after its worker exits: a child exiting later neither crashes the process nor goes unseen', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', SCRIPT],
      { timeout: 60_000 },
    );
    expect(JSON.parse(stdout)).toEqual({ failure: 'EINVAL', childExitCode: 0 });
  });
});
