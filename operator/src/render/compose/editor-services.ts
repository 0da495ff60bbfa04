// A managed Collabora Online (WopiClient.spec.managed) in Compose: the same coolwsd options as in a
// cluster (render/collabora.ts), one container, with its jails and caches on tmpfs under a
// read-only root.
import { aliasGroupEnv, CHILD_ROOTS, coolwsdArgs } from '../collabora.js';
import { composeCommand, PORTS, type ComposeContext } from './compose-context.js';
import { ComposeError } from './compose-resources.js';
import { healthcheck, LONG_RUNNING, type ComposeService } from './compose-service.js';

export function editorServices(context: ComposeContext): ComposeService[] {
  const { drive, editors, project } = context.resources;
  const drives = [{ host: drive.spec.host, wopiSrcBaseUrl: `https://${drive.spec.host}` }];
  return editors.flatMap((editor): ComposeService[] => {
    const managed = editor.spec.managed;
    if (!managed) return [];
    if (managed.replicas > 1) {
      throw new ComposeError(
        'WopiClient',
        editor.name,
        ['spec', 'managed', 'replicas'],
        'a Compose project runs one Collabora container: an editing session must stay on the coolwsd that opened the document, which needs the cluster edge',
        'set replicas: 1, or run several Collabora servers yourself and use spec.external',
      );
    }
    const address = context.addressOf('apps');
    const port = String(PORTS.collabora);
    return [
      {
        name: editor.name,
        role: 'apps',
        definition: {
          image: managed.image,
          command: composeCommand([
            ...coolwsdArgs({ spec: managed, drives }),
            // Collabora calls Drive back at its public URL, whose certificate in dev comes from
            // mkcert's private CA, which coolwsd does not trust.
            ...(project.spec.target === 'dev' ? ['--o:ssl.ssl_verification=false'] : []),
          ]),
          environment: aliasGroupEnv({ spec: managed, drives }),
          ...(address === undefined ? {} : { ports: [`${address}:${port}:${port}`] }),
          read_only: true,
          tmpfs: ['/tmp:size=1g', `${CHILD_ROOTS}:size=4g`],
          cap_drop: ['ALL'],
          security_opt: ['no-new-privileges:true'],
          ...LONG_RUNNING,
          // The image has no shell; coolwsd checks itself (as upstream's Compose stack does).
          ...healthcheck(['CMD', '/usr/bin/coolwsd', '--probe', '--o:ssl.enable=false'], {
            startPeriod: '120s',
          }),
          // Time to save the documents still open back to Drive.
          stop_grace_period: '60s',
        },
      },
    ];
  });
}
