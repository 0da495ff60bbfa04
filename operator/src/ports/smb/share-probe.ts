// The SMB port: a StorageMount's share checked through services/smb-mount's own libsmbclient layer,
// so the operator and the mounts service agree on what "reachable" means. Loaded on first use:
// libsmbclient and its worker threads cost nothing in a cluster without SMB mounts.
import type * as Probe from '@lasuite/smb-mount/probe';
import type { ShareProbeOptions, ShareProbeResult } from '@lasuite/smb-mount/probe';

export type { ShareProblem, ShareProbeResult } from '@lasuite/smb-mount/probe';

// Run as TypeScript (tests, `npm run operator:run`), the service's sources; built, its dist/.
const PROBE_MODULE = import.meta.url.endsWith('.ts')
  ? '@lasuite/smb-mount/probe.ts'
  : '@lasuite/smb-mount/probe';

type ProbeModule = typeof Probe;

export async function probeShare(options: ShareProbeOptions): Promise<ShareProbeResult> {
  let module: ProbeModule;
  try {
    module = (await import(PROBE_MODULE)) as ProbeModule;
  } catch (error) {
    return {
      reachable: false,
      problem: 'ClientUnavailable',
      permanent: true,
      message: `this operator build cannot load @lasuite/smb-mount (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  return module.probeShare(options);
}
