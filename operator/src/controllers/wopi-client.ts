// A WopiClient: its discovery document fetched from the URL Drive will use and validated the
// way Drive parses it (first net-zone, edit actions, a complete proof key), reported as
// DiscoveryValid with the extensions it opens.
import type { WopiClientSpec } from '../api/wopi-client.js';
import { DiscoveryError, fetchWopiDiscovery } from '../ports/wopi/discovery.js';
import { COLLABORA_PORT, objectNames, serviceUrl } from '../render/object-names.js';
import type { Report, StatusObject } from './status-writer.js';

/** Discovery is fetched again this often: an editor upgrade can change it. */
export const DISCOVERY_POLL_MS = 300_000;

export function discoveryUrlOf(object: StatusObject, spec: WopiClientSpec): string {
  return (
    spec.external?.discoveryUrl ??
    serviceUrl(
      objectNames.collaboraService(object.metadata.name),
      object.metadata.namespace ?? '',
      COLLABORA_PORT,
      '/hosting/discovery',
    )
  );
}

export async function reconcileWopiClient(
  object: StatusObject,
  spec: WopiClientSpec,
): Promise<Report> {
  const discoveryUrl = discoveryUrlOf(object, spec);
  const fields: Record<string, unknown> = { discoveryUrl };
  if (spec.managed)
    // Fetching the in-cluster Service before the editor runs would only fail; and this version
    // does not deploy Collabora yet, so say that instead of a misleading network error.
    return {
      outcome: {
        state: 'Progressing',
        reason: 'Progressing',
        message: 'a managed Collabora is not deployed by this operator version yet; use external',
      },
      domain: [
        {
          type: 'EditorAvailable',
          status: 'False',
          reason: 'Progressing',
          message: 'not deployed by this operator version',
        },
      ],
      fields,
    };
  try {
    const discovery = await fetchWopiDiscovery(discoveryUrl);
    const insecure = discovery.urlsrcOrigins.filter((origin) => origin.startsWith('http:'));
    const notes = [
      ...(discovery.ignoredNetZones.length > 0
        ? [
            `Drive reads only net-zone ${discovery.netZone} (ignores ${discovery.ignoredNetZones.join(', ')})`,
          ]
        : []),
      ...(discovery.proofKey.present ? [] : ['no proof key: Drive will not check WOPI proofs']),
    ];
    if (insecure.length > 0) {
      const message = `the editor announces ${insecure.join(', ')}: browsers block an http editor inside https Drive; run it with ssl.termination=true behind TLS`;
      return {
        outcome: { state: 'Stalled', reason: 'DiscoveryMalformed', message },
        domain: [
          { type: 'DiscoveryValid', status: 'False', reason: 'DiscoveryMalformed', message },
        ],
        fields,
        requeueAfterMs: DISCOVERY_POLL_MS,
      };
    }
    return {
      outcome: {
        state: 'Ready',
        message: `discovery valid: ${String(discovery.editExtensions.length)} extensions open for editing`,
      },
      domain: [
        {
          type: 'DiscoveryValid',
          status: 'True',
          reason: 'Succeeded',
          message: [
            `edit actions for ${String(discovery.editExtensions.length)} extensions`,
            ...notes,
          ].join('; '),
        },
      ],
      fields: {
        ...fields,
        extensions: discovery.editExtensions.slice(0, 512),
        proofKey: { present: discovery.proofKey.present, hasOldKey: discovery.proofKey.hasOldKey },
      },
      requeueAfterMs: DISCOVERY_POLL_MS,
    };
  } catch (error) {
    if (!(error instanceof DiscoveryError)) throw error;
    const transient = error.problem === 'DiscoveryUnreachable';
    return {
      outcome: transient
        ? { state: 'Progressing', reason: error.problem, message: `${error.message}; retrying` }
        : { state: 'Stalled', reason: error.problem, message: error.message },
      domain: [
        { type: 'DiscoveryValid', status: 'False', reason: error.problem, message: error.message },
      ],
      fields,
      retry: transient,
      requeueAfterMs: transient ? undefined : DISCOVERY_POLL_MS,
    };
  }
}
