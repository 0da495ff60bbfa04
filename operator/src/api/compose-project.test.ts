// ComposeProject is checked by lasuitectl only: its rules must still name the field and the fix.
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseDocuments } from '../manifests/load-documents.js';
import { validateDocuments } from '../manifests/validate-resources.js';
import { composeProject } from './compose-project.js';
import { openApiSchema, type JsonSchema } from './openapi-schema.js';

function diagnostics(spec: Record<string, unknown>) {
  const text = stringify({
    apiVersion: 'lasuite.selfhost.dev/v1alpha1',
    kind: 'ComposeProject',
    metadata: { name: 'drive' },
    spec,
  });
  return validateDocuments(parseDocuments('project.yaml', text)).diagnostics.map((found) => ({
    path: found.path,
    message: found.message,
  }));
}

const ENDPOINTS = {
  authorization: 'https://sso.example.com/auth',
  token: 'https://sso.example.com/token',
  userinfo: 'https://sso.example.com/userinfo',
  jwks: 'https://sso.example.com/jwks',
};

describe('ComposeProject', () => {
  it('accepts an empty spec: production, nginx, one host', () => {
    expect(diagnostics({})).toEqual([]);
  });

  it.each([
    [
      'Keycloak outside the dev target',
      { keycloak: {} },
      'spec.keycloak',
      'keycloak runs in the dev target only',
    ],
    [
      'the split layout without addresses',
      { layout: { type: 'split' } },
      'spec.layout.split',
      'layout.split is required when layout.type is split',
    ],
    [
      'the split layout in dev',
      {
        target: 'dev',
        layout: {
          type: 'split',
          split: { apps: { address: '10.0.0.2' }, storage: { address: '10.0.0.3' } },
        },
      },
      'spec.layout.type',
      'the split layout is a production layout',
    ],
    [
      'IdP endpoints next to the dev Keycloak',
      { target: 'dev', keycloak: {}, identity: { endpoints: ENDPOINTS } },
      'spec.identity.endpoints',
      'identity.endpoints describe an external IdP',
    ],
    [
      'a certificate path Compose volume syntax cannot hold',
      { tls: { certificateFile: '/certs/a:b.pem' } },
      'spec.tls.certificateFile',
      'must be a file path without ":"',
    ],
    [
      'an unpinned image',
      { images: { traefik: 'traefik:latest' } },
      'spec.images.traefik',
      'images must be pinned',
    ],
    [
      'a VM address that is not an IPv4 address',
      {
        layout: {
          type: 'split',
          split: { apps: { address: 'apps.internal' }, storage: { address: '10.0.0.3' } },
        },
      },
      'spec.layout.split.apps.address',
      'must be an IPv4 address',
    ],
  ])('refuses %s', (_what, spec, path, message) => {
    expect(diagnostics(spec)).toEqual([{ path, message: expect.stringContaining(message) }]);
  });

  it('documents every field', () => {
    const undocumented: string[] = [];
    const walk = (node: JsonSchema, path: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        if (!child.description) undocumented.push(`${path}.${name}`);
        walk(child, `${path}.${name}`);
      }
    };
    walk(openApiSchema(composeProject.spec), 'spec');
    expect(undocumented).toEqual([]);
  });
});
