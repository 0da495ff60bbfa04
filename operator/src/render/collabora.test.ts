import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { driveInstanceSpec } from '../api/drive-instance.js';
import { wopiClientSpec } from '../api/wopi-client.js';
import { schemaErrors } from '../test-support/kubernetes-schemas.js';
import { driveInstanceResource, type Mutable } from '../test-support/resources.js';
import {
  collaboraObjects,
  collaboraPublicOrigin,
  generateProofKey,
  type CollaboraEdge,
  type CollaboraInputs,
} from './collabora.js';
import { RenderError, type KubeObject } from './drive-objects.js';
import { toMultiDocumentYaml } from './manifest-yaml.js';

type AnyObject = Record<string, any>;

/** Edges as a DriveInstance spec gives them, defaults applied. */
function edgeOf(edge: Mutable): CollaboraEdge {
  return driveInstanceSpec.parse(driveInstanceResource({ edge }).spec).edge;
}

const EDGES = {
  traefik: edgeOf({ type: 'traefik' }),
  nginx: edgeOf({ type: 'nginx', ingressClassName: 'nginx' }),
  gateway: edgeOf({
    type: 'gateway',
    gateway: { parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }] },
  }),
};

function inputs(managed: Mutable = {}, overrides: Partial<CollaboraInputs> = {}): CollaboraInputs {
  const spec = wopiClientSpec.parse({ type: 'collabora', managed }).managed!;
  return {
    owner: { name: 'office', namespace: 'apps', uid: '6f1c2a9e-0000-4000-8000-0000000000c0' },
    spec,
    // Out of order on purpose: the output must not depend on it.
    drives: [
      { host: 'files.example.org', wopiSrcBaseUrl: 'https://files.example.org' },
      { host: 'drive.example.com', wopiSrcBaseUrl: 'https://drive.example.com/' },
    ],
    proofKey: { secretName: 'office-proof-key', key: 'proof_key', version: '42' },
    edge: EDGES.traefik,
    ...overrides,
  };
}

function find(objects: readonly KubeObject[], kind: string, name: string): AnyObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

const kinds = (objects: readonly KubeObject[]) =>
  objects.map((object) => `${object.kind}/${object.metadata.name}`);

const pod = (objects: readonly KubeObject[]) =>
  find(objects, 'Deployment', 'office-collabora').spec.template;
const coolwsd = (objects: readonly KubeObject[]) => pod(objects).spec.containers[0];

describe.each(Object.entries(EDGES))('a managed Collabora on the %s edge', (_name, edge) => {
  const variants = {
    'one replica, no host': inputs({}, { edge }),
    'three replicas and a host': inputs({ host: 'office.example.com', replicas: 3 }, { edge }),
  };

  it.each(Object.entries(variants))('is valid against the schemas (%s)', (_variant, given) => {
    expect(collaboraObjects(given).flatMap(schemaErrors)).toEqual([]);
  });

  it.each(Object.entries(variants))('is deterministic, byte for byte (%s)', (_variant, given) => {
    const reordered = { ...given, drives: [...given.drives].reverse() };
    expect(toMultiDocumentYaml(collaboraObjects(reordered))).toBe(
      toMultiDocumentYaml(collaboraObjects(given)),
    );
  });

  it('owns and labels every object', () => {
    for (const object of collaboraObjects(variants['three replicas and a host']) as AnyObject[]) {
      const name = `${String(object.kind)}/${String(object.metadata.name)}`;
      expect(object.metadata.ownerReferences, name).toEqual([
        {
          apiVersion: 'lasuite.selfhost.dev/v1alpha1',
          kind: 'WopiClient',
          name: 'office',
          uid: '6f1c2a9e-0000-4000-8000-0000000000c0',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(object.metadata.labels, name).toEqual({
        'app.kubernetes.io/name': 'collabora',
        'app.kubernetes.io/instance': 'office',
        'app.kubernetes.io/component': 'editor',
        'app.kubernetes.io/part-of': 'lasuite',
        'app.kubernetes.io/managed-by': 'lasuite-operator',
      });
      expect(object.metadata.namespace, name).toBe('apps');
    }
  });

  it('routes nothing itself: the Drive edges serve the editor paths', () => {
    expect(kinds(collaboraObjects(variants['one replica, no host']))).toEqual([
      'Service/office-collabora',
      'Deployment/office-collabora',
      'NetworkPolicy/office-collabora',
    ]);
    expect(kinds(collaboraObjects(variants['three replicas and a host']))).toEqual([
      'Service/office-collabora',
      'Deployment/office-collabora',
      'PodDisruptionBudget/office-collabora',
      'NetworkPolicy/office-collabora',
    ]);
  });
});

describe('the coolwsd pods', () => {
  const objects = collaboraObjects(inputs({ host: 'office.example.com' }));

  it('run under the restricted pod security standard, as the image user cool (1001)', () => {
    const { spec } = pod(objects);
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1001,
      runAsGroup: 1001,
      fsGroup: 1001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(coolwsd(objects).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    for (const volume of spec.volumes) {
      expect(Object.keys(volume).sort(), volume.name).toSatisfy(
        (keys: string[]) => keys.includes('emptyDir') || keys.includes('secret'),
      );
    }
  });

  it('run coolwsd without capabilities, jails or bind mounts', () => {
    expect(coolwsd(objects).args).toEqual(
      expect.arrayContaining(['--o:security.capabilities=false', '--o:mount_jail_tree=false']),
    );
  });

  it('give every path coolwsd writes a volume of its own, the root filesystem being read-only', () => {
    const container = coolwsd(objects);
    const mounts = Object.fromEntries(
      container.volumeMounts.map((mount: { name: string; mountPath: string }) => [
        mount.mountPath,
        mount.name,
      ]),
    );
    expect(mounts).toEqual({
      '/tmp': 'tmp',
      '/opt/cool/child-roots': 'child-roots',
      '/etc/coolwsd/proof_key': 'proof-key',
    });
    expect(container.args).toContain('--o:child_root_path=/opt/cool/child-roots');
    expect(container.args).toContain('--o:cache_files.path=/tmp/coolwsd-cache');
    const volumes = Object.fromEntries(
      pod(objects).spec.volumes.map((volume: { name: string }) => [volume.name, volume]),
    );
    expect(volumes.tmp.emptyDir).toEqual({ sizeLimit: '1Gi' });
    expect(volumes['child-roots'].emptyDir).toEqual({ sizeLimit: '4Gi' });
  });

  it('mount the shared proof key where coolwsd reads it, keeping the rest of /etc/coolwsd', () => {
    expect(coolwsd(objects).volumeMounts).toContainEqual({
      name: 'proof-key',
      mountPath: '/etc/coolwsd/proof_key',
      subPath: 'proof_key',
      readOnly: true,
    });
    expect(pod(objects).spec.volumes).toContainEqual({
      name: 'proof-key',
      secret: {
        secretName: 'office-proof-key',
        items: [{ key: 'proof_key', path: 'proof_key' }],
        defaultMode: 0o440,
      },
    });
  });

  it('roll when the proof key changes, so that every replica signs with the same key', () => {
    const annotations = (version?: string) =>
      pod(
        collaboraObjects(
          inputs({}, { proofKey: { secretName: 'office-proof-key', key: 'proof_key', version } }),
        ),
      ).metadata.annotations;
    expect(annotations('42')).toEqual({ 'lasuite.selfhost.dev/proof-key-version': '42' });
    expect(annotations('43')).not.toEqual(annotations('42'));
    expect(annotations(undefined)).toBeUndefined();
  });

  it('are probed on /hosting/discovery, port 9980', () => {
    const container = coolwsd(objects);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9980 }]);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet, probe).toEqual({ path: '/hosting/discovery', port: 'http' });
    }
    expect(find(objects, 'Service', 'office-collabora').spec.ports).toEqual([
      { name: 'http', port: 9980, targetPort: 'http', protocol: 'TCP' },
    ]);
  });

  it('leave TLS to the edge, while advertising https and wss', () => {
    expect(coolwsd(objects).args.slice(0, 2)).toEqual([
      '--o:ssl.enable=false',
      '--o:ssl.termination=true',
    ]);
  });

  it('allow each Drive as a WOPI host, one alias group per Drive, sorted', () => {
    const container = coolwsd(objects);
    expect(container.env).toEqual([
      { name: 'aliasgroup1', value: 'https://drive.example.com' },
      { name: 'aliasgroup2', value: 'https://files.example.org' },
    ]);
    // Without --use-env-vars the groups above are ignored; groups mode then denies every host.
    expect(container.args).toContain('--o:storage.wopi.alias_groups[@mode]=groups');
  });

  it('keep a WOPI host given with a port and collapse the same host given twice', () => {
    const env = coolwsd(
      collaboraObjects(
        inputs(
          {},
          {
            drives: [
              { host: 'a.example.com', wopiSrcBaseUrl: 'https://a.example.com:8443/' },
              { host: 'a.example.com', wopiSrcBaseUrl: 'https://a.example.com:8443' },
            ],
          },
        ),
      ),
    ).env;
    expect(env).toEqual([{ name: 'aliasgroup1', value: 'https://a.example.com:8443' }]);
  });

  it('let every Drive frame the editor', () => {
    expect(coolwsd(objects).args).toContain(
      '--o:net.frame_ancestors=https://drive.example.com https://files.example.org',
    );
  });

  it('name the editor host in discovery, or the first Drive host when it has none', () => {
    expect(coolwsd(objects).args).toContain('--o:server_name=office.example.com');
    expect(collaboraPublicOrigin(inputs({ host: 'office.example.com' }))).toBe(
      'https://office.example.com',
    );
    expect(coolwsd(collaboraObjects(inputs())).args).toContain('--o:server_name=drive.example.com');
    expect(collaboraPublicOrigin(inputs())).toBe('https://drive.example.com');
    const alone = inputs({}, { drives: [] });
    expect(collaboraPublicOrigin(alone)).toBeUndefined();
    expect(
      coolwsd(collaboraObjects(alone)).args.filter((arg: string) =>
        /server_name|frame_ancestors/.test(arg),
      ),
    ).toEqual([]);
  });

  it('turn the admin console off', () => {
    expect(coolwsd(objects).args).toContain('--o:admin_console.enable=false');
  });

  it('use the pinned image, labelled with its version, and refuse an unpinned one', () => {
    expect(coolwsd(objects).image).toBe('collabora/code:26.04.2.2.1');
    expect(pod(objects).metadata.labels['app.kubernetes.io/version']).toBe('26.04.2.2.1');
    // The API refuses these too; the renderer does not rely on it.
    for (const image of ['collabora/code:latest', 'collabora/code', 'registry:5000/code']) {
      const given = inputs();
      expect(() => collaboraObjects({ ...given, spec: { ...given.spec, image } }), image).toThrow(
        RenderError,
      );
    }
    const digest = `registry.example.com:5000/collabora/code@sha256:${'a'.repeat(64)}`;
    const byDigest = collaboraObjects(inputs({ image: digest }));
    expect(coolwsd(byDigest).image).toBe(digest);
    expect(pod(byDigest).metadata.labels).not.toHaveProperty('app.kubernetes.io/version');
    const both = `collabora/code:26.04.2.2.1@sha256:${'b'.repeat(64)}`;
    expect(pod(collaboraObjects(inputs({ image: both }))).metadata.labels).toMatchObject({
      'app.kubernetes.io/version': '26.04.2.2.1',
    });
  });

  it('refuse a WOPI_SRC_BASE_URL that is not an http(s) URL', () => {
    expect(() =>
      collaboraObjects(inputs({}, { drives: [{ host: 'a.example.com', wopiSrcBaseUrl: 'a' }] })),
    ).toThrow(new RenderError('WOPI_SRC_BASE_URL a is not a URL', 'InvalidSpec'));
  });

  it('take the requested resources over the defaults, field by field', () => {
    expect(coolwsd(objects).resources).toEqual({
      requests: { cpu: '250m', memory: '1Gi' },
      limits: { memory: '3Gi' },
    });
    expect(
      coolwsd(collaboraObjects(inputs({ resources: { limits: { memory: '6Gi' } } }))).resources,
    ).toEqual({ requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '6Gi' } });
  });
});

describe('replicas', () => {
  it('one: no disruption budget, no spreading', () => {
    const objects = collaboraObjects(inputs());
    expect(find(objects, 'Deployment', 'office-collabora').spec.replicas).toBe(1);
    expect(objects.some((object) => object.kind === 'PodDisruptionBudget')).toBe(false);
    expect(pod(objects).spec).not.toHaveProperty('topologySpreadConstraints');
  });

  it('more than one: a disruption budget and pods spread over nodes', () => {
    const objects = collaboraObjects(inputs({ replicas: 3 }));
    expect(find(objects, 'Deployment', 'office-collabora').spec.replicas).toBe(3);
    expect(find(objects, 'PodDisruptionBudget', 'office-collabora').spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'collabora',
          'app.kubernetes.io/instance': 'office',
          'app.kubernetes.io/component': 'editor',
        },
      },
    });
    expect(pod(objects).spec.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
  });

  it('roll out one new pod at a time and never drop below the requested count', () => {
    expect(
      find(collaboraObjects(inputs()), 'Deployment', 'office-collabora').spec.strategy,
    ).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });
});

describe('the NetworkPolicy', () => {
  it('admits the edge, the Drive pods and the operator on the coolwsd port only', () => {
    const policy = find(collaboraObjects(inputs()), 'NetworkPolicy', 'office-collabora');
    expect(policy.spec).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'collabora',
          'app.kubernetes.io/instance': 'office',
          'app.kubernetes.io/component': 'editor',
        },
      },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {},
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
            },
            { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'drive' } } },
            {
              namespaceSelector: {},
              podSelector: { matchLabels: { 'app.kubernetes.io/name': 'lasuite-operator' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: 'http' }],
        },
      ],
    });
  });

  it('takes the edge peers the DriveInstance configured', () => {
    const edge = edgeOf({ type: 'nginx', networkPeers: [{ namespaceLabels: { edge: 'yes' } }] });
    const policy = find(
      collaboraObjects(inputs({}, { edge })),
      'NetworkPolicy',
      'office-collabora',
    );
    expect(policy.spec.ingress[0].from[0]).toEqual({
      namespaceSelector: { matchLabels: { edge: 'yes' } },
    });
  });
});

describe('generateProofKey', () => {
  it('makes an RSA-2048 private key in PEM, a new one each time', () => {
    const pem = generateProofKey();
    expect(pem).toMatch(
      /^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/,
    );
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(generateProofKey()).not.toBe(pem);
  });
});
