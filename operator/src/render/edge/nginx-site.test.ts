import { describe, expect, it } from 'vitest';
import { nginxHttpBlock, type NginxSite } from './nginx-site.js';

const SITE: NginxSite = {
  host: 'drive.example.com',
  listen: '443',
  tls: { certificate: '/certs/tls.crt', key: '/certs/tls.key' },
  backend: 'http://backend:8000',
  frontend: 'http://frontend:3000',
  mediaAuthUrl: 'http://backend:8000/api/v1.0/items/media-auth/',
  s3: { url: 'http://seaweedfs:8333', signedHost: 'seaweedfs:8333' },
  bucket: 'drive-media',
  maxBodySize: 5 * 2 ** 30,
};

const location = (config: string, name: string) => {
  const start = config.indexOf(`location ${name} {`);
  return config.slice(start, config.indexOf('\n  }', start));
};

describe('the nginx site', () => {
  const config = nginxHttpBlock([SITE]);

  it('terminates TLS for the Drive host', () => {
    expect(config).toContain('listen 443 ssl;');
    expect(config).toContain('server_name drive.example.com;');
    expect(config).toContain('ssl_certificate /certs/tls.crt;');
    expect(nginxHttpBlock([{ ...SITE, tls: undefined }])).toContain('listen 443;');
  });

  it('sends /media to S3 only after auth_request, with the signature and the signed Host', () => {
    const media = location(config, '/media/');
    expect(media).toContain('auth_request /internal/media-auth;');
    expect(media).toContain('proxy_pass_request_headers off;');
    expect(media).toContain('proxy_set_header Authorization $media_authorization;');
    expect(media).toContain('proxy_set_header Host seaweedfs:8333;');
    expect(media).toContain('proxy_set_header Range $http_range;');
    expect(media).toContain('proxy_method GET;');
    expect(media).toContain('if ($is_args) { return 403; }');
    expect(media).toContain('proxy_pass http://seaweedfs:8333/drive-media/;');
    expect(media).toContain('add_header Content-Disposition "attachment" always;');
    expect(location(config, '/media/preview/')).not.toContain('Content-Disposition');
  });

  it('gives Drive the original URL and https on the auth subrequest, without a body', () => {
    const auth = location(config, '= /internal/media-auth');
    expect(auth).toContain('internal;');
    expect(auth).toContain('proxy_set_header X-Original-URL $request_uri;');
    expect(auth).toContain('proxy_set_header X-Forwarded-Proto https;');
    expect(auth).toContain('proxy_pass_request_body off;');
    expect(auth).toContain('proxy_pass http://backend:8000/api/v1.0/items/media-auth/;');
  });

  it('refuses values that would break out of a directive', () => {
    expect(() =>
      nginxHttpBlock([{ ...SITE, host: 'drive.example.com; include /etc/passwd' }]),
    ).toThrow(/unsafe nginx value/);
    expect(() => nginxHttpBlock([{ ...SITE, bucket: 'a{b' }])).toThrow(/unsafe nginx value/);
  });
});
