// The images of a rendered Compose project, as the namespace harness runs them: the same server,
// built or installed by hack/, placed where the image has it, started the way the image's
// entrypoint starts it. Only the program comes from the host; the command, environment, files and
// volumes are the rendered service's (test-support/compose-run.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';
import { binaries, MissingPrerequisiteError } from '../testbed/binaries.js';
import type { ComposeServiceJson } from '../testbed/compose-config.js';
import type { ComposeMount, FileContent } from '../testbed/compose-namespace.js';
import { keycloakInstall } from '../testbed/keycloak.js';

export interface EmulatedImage {
  argv: string[];
  cwd?: string;
  /** Added to the service's environment (what the image's own ENV would give). */
  env?: Record<string, string>;
  mounts?: ComposeMount[];
  /** Files and directories the image carries that the host lacks. */
  files?: Record<string, FileContent>;
  /** The image's USER, numeric; root when not given. */
  user?: { uid: number; gid: number };
}

interface ImageEmulation {
  image: RegExp;
  emulate(service: ComposeServiceJson): EmulatedImage;
}

const commandOf = (service: ComposeServiceJson) => service.command ?? [];

/** A file of our own service that the image carries, built in the repository. */
function built(path: string, command: string): string {
  const full = join(REPO_ROOT, path);
  if (!existsSync(full)) throw new MissingPrerequisiteError(`${full} is not built: run ${command}`);
  return path;
}

const IMAGES: ImageEmulation[] = [
  {
    // The official image: CMD nginx -g 'daemon off;'; /var/cache/nginx exists there.
    image: /^nginx:/,
    emulate: (service) => ({
      argv: service.command ?? [binaries.nginx(), '-g', 'daemon off;'],
      files: { '/var/cache/nginx/.image': '' },
    }),
  },
  {
    // entrypoint.sh runs its arguments when they start with `traefik`.
    image: /^traefik:/,
    emulate: (service) => ({
      argv: service.command ?? ['traefik'],
      mounts: [{ target: '/usr/local/bin/traefik', source: binaries.traefik(), readOnly: true }],
    }),
  },
  {
    image: /^chrislusf\/seaweedfs:/,
    emulate: (service) => ({
      argv: [...(service.entrypoint ?? ['/usr/bin/weed']), ...commandOf(service)],
      mounts: [{ target: '/usr/bin/weed', source: binaries.weed(), readOnly: true }],
    }),
  },
  {
    // WORKDIR /app holds node_modules and operator/dist (operator/Dockerfile).
    image: /\/lasuite-operator:/,
    emulate: (service) => ({
      argv: [...(service.entrypoint ?? []), ...commandOf(service)],
      cwd: '/app',
      mounts: [{ target: '/app', source: REPO_ROOT, readOnly: true }],
    }),
  },
  {
    // services/media-gateway/Dockerfile: WORKDIR /app, node services/media-gateway/dist/main.js.
    image: /\/media-gateway:/,
    emulate: (service) => ({
      argv: service.entrypoint ?? ['node', 'services/media-gateway/dist/main.js'],
      cwd: '/app',
      mounts: [{ target: '/app', source: REPO_ROOT, readOnly: true }],
    }),
  },
  {
    // services/smb-mount/Dockerfile: WORKDIR /app, ENTRYPOINT node services/smb-mount/dist/main.js,
    // the libsmbclient addon in services/smb-mount/build/Release, USER 65532:65532.
    image: /\/smb-mount:/,
    emulate: (service) => {
      built('services/smb-mount/build/Release/smbclient.node', 'hack/build-smb-addon.sh');
      const main = built('services/smb-mount/dist/main.js', 'npx tsc -b');
      return {
        argv: [...(service.entrypoint ?? ['node', main]), ...commandOf(service)],
        cwd: '/app',
        mounts: [{ target: '/app', source: REPO_ROOT, readOnly: true }],
        user: { uid: 65532, gid: 65532 },
      };
    },
  },
  {
    // ENTRYPOINT /opt/keycloak/bin/kc.sh; java on PATH; ENV LANG and KC_RUN_IN_CONTAINER, without
    // which start-dev listens on localhost only and no other container reaches it. The install is
    // overlaid: Keycloak rebuilds itself for start-dev into its own directory. (Its AOT cache names
    // jars by their cache path, so it is not used here.)
    image: /keycloak\/keycloak:/,
    emulate: (service) => {
      const { home, javaHome } = keycloakInstall();
      return {
        argv: ['/opt/keycloak/bin/kc.sh', ...commandOf(service)],
        env: {
          LANG: 'en_US.UTF-8',
          KC_RUN_IN_CONTAINER: 'true',
          JAVA_HOME: javaHome,
          PATH: `${join(javaHome, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        },
        mounts: [{ target: '/opt/keycloak', source: home, overlay: true }],
      };
    },
  },
];

export function emulateImage(name: string, service: ComposeServiceJson): EmulatedImage {
  const image = service.image ?? '';
  const emulation = IMAGES.find((entry) => entry.image.test(image));
  if (!emulation)
    throw new Error(
      `service ${name}: image ${image} cannot run here; bridge the service to a stand-in instead`,
    );
  return emulation.emulate(service);
}
