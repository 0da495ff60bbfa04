import { describe, expect, it } from 'vitest';
import {
  collaboraDiscoveryXml,
  generateProofKey,
  proofKeyAttributes,
  URLSRC,
} from '../test-support/wopi-stand-ins.js';
import { DiscoveryError, parseDiscovery } from './discovery.js';

const URL_ = 'http://collabora:9980/hosting/discovery';

describe('reading discovery as Drive does', () => {
  it('maps edit and view actions by extension and by mimetype, with the proof keys', () => {
    const { publicKey } = generateProofKey();
    const parsed = parseDiscovery(collaboraDiscoveryXml(proofKeyAttributes(publicKey)), URL_);
    expect(parsed.byExtension.get('odt')).toEqual({ edit: URLSRC, view: URLSRC });
    expect(parsed.byExtension.get('xlsx')).toEqual({ edit: URLSRC });
    expect(parsed.byExtension.get('pdf')).toEqual({ view: URLSRC });
    // getinfo is not an opening action.
    expect(parsed.byMimetype.has('Capabilities')).toBe(false);
    expect(parsed.proofKeys?.current.export({ format: 'jwk' })).toEqual(
      publicKey.export({ format: 'jwk' }),
    );
  });

  it('has no proof keys when the editor publishes none', () => {
    expect(parseDiscovery(collaboraDiscoveryXml(), URL_).proofKeys).toBeUndefined();
  });

  it('reads only the first net-zone, and maps ext="" under the app name', () => {
    const xml = `<wopi-discovery>
      <net-zone name="internal-http">
        <app name="application/vnd.oasis.opendocument.text">
          <action name="edit" ext="" default="true" urlsrc="http://internal/cool.html?"/>
        </app>
        <app name="writer"><action name="edit" ext="ODT" urlsrc="http://first/cool.html?"/></app>
        <app name="writer2"><action name="edit" ext="odt" urlsrc="http://later/cool.html?"/></app>
        <app name="broken"><action name="edit" ext="doc" urlsrc="/relative?"/></app>
      </net-zone>
      <net-zone name="external-https">
        <app name="calc"><action name="edit" ext="ods" urlsrc="https://ext/cool.html?"/></app>
      </net-zone>
    </wopi-discovery>`;
    const parsed = parseDiscovery(xml, URL_);
    expect(parsed.byMimetype.get('application/vnd.oasis.opendocument.text')).toEqual({
      edit: 'http://internal/cool.html?',
    });
    // A later action for the same extension replaces an earlier one, as in Drive's dict.
    expect(parsed.byExtension.get('odt')).toEqual({ edit: 'http://later/cool.html?' });
    expect(parsed.byExtension.has('ods')).toBe(false);
    expect(parsed.byExtension.has('doc')).toBe(false);
  });

  it('decodes XML entities in urlsrc', () => {
    const xml = `<wopi-discovery><net-zone name="x"><app name="Word"><action name="edit" ext="docx"
      urlsrc="https://w.example/we.aspx?&lt;ui=UI_LLCC&amp;&gt;"/></app></net-zone></wopi-discovery>`;
    expect(parseDiscovery(xml, URL_).byExtension.get('docx')?.edit).toBe(
      'https://w.example/we.aspx?<ui=UI_LLCC&>',
    );
  });

  it.each([
    ['not xml at all', /no <wopi-discovery>|not XML/],
    ['<html><body>login</body></html>', /no <wopi-discovery>/],
    ['<wopi-discovery></wopi-discovery>', /no <net-zone>/],
    ['<!DOCTYPE x [<!ENTITY a "b">]><wopi-discovery><net-zone/></wopi-discovery>', /DOCTYPE/],
    [
      '<wopi-discovery><net-zone/><proof-key modulus="AAAA" exponent="AQAB"/></wopi-discovery>',
      /proof-key/,
    ],
  ])('refuses %j', (xml, message) => {
    expect(() => parseDiscovery(xml, URL_)).toThrow(DiscoveryError);
    expect(() => parseDiscovery(xml, URL_)).toThrow(message);
  });
});
