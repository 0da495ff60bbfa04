// How each DriveInstance edge serves a managed Collabora: its paths, its refused admin paths, and
// WOPISrc affinity once it runs more than one pod.
import { describe, expect, it } from 'vitest';
import { TEST_EDGES } from '../../test-support/edges.js';
import { schemaErrors } from '../../test-support/kubernetes-schemas.js';
import { renderInputs } from '../../test-support/render-inputs.js';
import { renderDrive, type KubeObject } from '../drive-objects.js';
import { EDITOR_BLOCKED_PATHS, EDITOR_PATHS } from './route-plan.js';

type AnyObject = Record<string, any>;

function render(edge: keyof typeof TEST_EDGES, replicas: number, host?: string): KubeObject[] {
  const inputs = renderInputs({ edge: TEST_EDGES[edge] });
  return renderDrive({
    ...inputs,
    editors: inputs.editors.map((editor) => ({
      ...editor,
      managed: {
        resource: 'collabora',
        service: 'collabora-collabora',
        port: 9980,
        replicas,
        ...(host === undefined ? {} : { host }),
      },
    })),
  }).objects;
}

function find(objects: readonly KubeObject[], kind: string, name: string): AnyObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

const AFFINITY = {
  cookie: { name: 'collabora_affinity', secure: true, httpOnly: true, sameSite: 'none', path: '/' },
};

describe('the editor paths', () => {
  it('are what browsers load, minus /hosting/wopiAccessCheck, which stays internal', () => {
    expect(EDITOR_PATHS).toEqual([
      '/browser/',
      '/cool/',
      '/hosting/capabilities',
      '/hosting/discovery',
    ]);
    expect(EDITOR_BLOCKED_PATHS).toEqual([
      '/browser/dist/admin/',
      '/cool/adminws',
      '/cool/getMetrics',
    ]);
  });

  it.each(Object.keys(TEST_EDGES) as (keyof typeof TEST_EDGES)[])(
    'render valid objects on the %s edge, with one pod and with three',
    (edge) => {
      for (const replicas of [1, 3])
        expect(render(edge, replicas, 'office.example.com').flatMap(schemaErrors)).toEqual([]);
    },
  );
});

describe('on Traefik', () => {
  const routes = (replicas: number, host?: string) =>
    find(render('traefik', replicas, host), 'IngressRoute', 'drive-routes').spec
      .routes as AnyObject[];

  it('refuse the admin paths ahead of the editor route, from every client address', () => {
    const objects = render('traefik', 1);
    const deny = routes(1).find((route) => String(route.match).includes('/cool/adminws'));
    expect(deny).toEqual({
      kind: 'Rule',
      match:
        'Host(`drive.example.com`) && (PathPrefix(`/browser/dist/admin/`) || PathPrefix(`/cool/adminws`) || PathPrefix(`/cool/getMetrics`))',
      priority: 21,
      middlewares: [{ name: 'drive-editor-deny' }],
      services: [{ name: 'collabora-collabora', port: 9980 }],
    });
    expect(find(objects, 'Middleware', 'drive-editor-deny').spec).toEqual({
      ipAllowList: { sourceRange: ['0.0.0.0/32', '::/128'] },
    });
  });

  it('send the editor paths of its own host to coolwsd, without affinity for one pod', () => {
    const editor = routes(1, 'office.example.com').find((route) =>
      String(route.match).includes('/hosting/discovery'),
    );
    expect(editor).toEqual({
      kind: 'Rule',
      match:
        'Host(`office.example.com`) && (PathPrefix(`/browser/`) || PathPrefix(`/cool/`) || PathPrefix(`/hosting/capabilities`) || PathPrefix(`/hosting/discovery`))',
      priority: 20,
      services: [{ name: 'collabora-collabora', port: 9980 }],
    });
  });

  it('pin a browser to one pod with a cookie when there is more than one', () => {
    const editor = routes(3).find((route) => String(route.match).includes('/hosting/discovery'));
    expect(editor?.services).toEqual([
      { name: 'collabora-collabora', port: 9980, sticky: AFFINITY },
    ]);
  });

  it('render no deny middleware without an editor', () => {
    const inputs = renderInputs({ edge: TEST_EDGES.traefik, wopiClientRefs: [] }, { editors: [] });
    const names = renderDrive(inputs).objects.map((object) => object.metadata.name);
    expect(names).not.toContain('drive-editor-deny');
  });
});

describe('on ingress-nginx', () => {
  const paths = (ingress: AnyObject) =>
    ingress.spec.rules[0].http.paths.map((entry: AnyObject) => entry.path);

  it('hash every request of a document to one pod by its WOPISrc, with long timeouts', () => {
    const objects = render('nginx', 1);
    for (const name of ['drive-editor-collabora', 'drive-editor-collabora-deny']) {
      expect(find(objects, 'Ingress', name).metadata.annotations, name).toMatchObject({
        'nginx.ingress.kubernetes.io/upstream-hash-by': '$arg_WOPISrc',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      });
    }
  });

  it('route the editor paths, and deny every address on the admin paths', () => {
    const objects = render('nginx', 3, 'office.example.com');
    const editor = find(objects, 'Ingress', 'drive-editor-collabora');
    expect(editor.spec.rules[0].host).toBe('office.example.com');
    expect(paths(editor)).toEqual([...EDITOR_PATHS]);
    expect(editor.metadata.annotations).not.toHaveProperty(
      'nginx.ingress.kubernetes.io/denylist-source-range',
    );
    const deny = find(objects, 'Ingress', 'drive-editor-collabora-deny');
    expect(deny.spec.rules[0].host).toBe('office.example.com');
    expect(paths(deny)).toEqual([...EDITOR_BLOCKED_PATHS]);
    expect(deny.metadata.annotations['nginx.ingress.kubernetes.io/denylist-source-range']).toBe(
      '0.0.0.0/0,::/0',
    );
  });
});

describe('on the Gateway API', () => {
  it('refuse the admin paths through the Traefik middleware, and route one pod directly', () => {
    const objects = render('gateway', 1);
    const route = find(objects, 'HTTPRoute', 'drive-editor-collabora');
    expect(route.spec.hostnames).toEqual(['drive.example.com']);
    const [deny, editor] = route.spec.rules;
    expect(deny.matches.map((match: AnyObject) => match.path.value)).toEqual([
      ...EDITOR_BLOCKED_PATHS,
    ]);
    expect(deny.filters).toEqual([
      {
        type: 'ExtensionRef',
        extensionRef: { group: 'traefik.io', kind: 'Middleware', name: 'drive-editor-deny' },
      },
    ]);
    expect(find(objects, 'Middleware', 'drive-editor-deny').spec).toEqual({
      ipAllowList: { sourceRange: ['0.0.0.0/32', '::/128'] },
    });
    expect(editor.matches.map((match: AnyObject) => match.path.value)).toEqual([...EDITOR_PATHS]);
    expect(editor.backendRefs).toEqual([{ name: 'collabora-collabora', port: 9980 }]);
    expect(objects.some((object) => object.kind === 'TraefikService')).toBe(false);
  });

  it('go through a sticky TraefikService when there is more than one pod', () => {
    const objects = render('gateway', 3);
    const [, editor] = find(objects, 'HTTPRoute', 'drive-editor-collabora').spec.rules;
    expect(editor.backendRefs).toEqual([
      { group: 'traefik.io', kind: 'TraefikService', name: 'drive-editor-collabora-sticky' },
    ]);
    expect(find(objects, 'TraefikService', 'drive-editor-collabora-sticky').spec).toEqual({
      weighted: { services: [{ name: 'collabora-collabora', port: 9980, sticky: AFFINITY }] },
    });
  });
});
