import { describe, expect, it } from 'vitest';
import { launchUrl } from './launch-url.js';

const WOPI_SRC = 'https://drive.example.com/mounts/wopi/files/bS9hLm9kdA';

describe('launch URLs', () => {
  it("adds WOPISrc and Collabora's closebutton to a Collabora urlsrc", () => {
    const url = launchUrl('https://office.example.com/browser/0b27e85/cool.html?', WOPI_SRC);
    expect(url).toBe(
      'https://office.example.com/browser/0b27e85/cool.html?WOPISrc=https%3A%2F%2Fdrive.example.com%2Fmounts%2Fwopi%2Ffiles%2FbS9hLm9kdA&closebutton=false',
    );
    expect(new URL(url).searchParams.get('WOPISrc')).toBe(WOPI_SRC);
  });

  it('fills the placeholders Drive knows, drops the others, keeps literal parameters', () => {
    const urlsrc =
      'https://word-edit.example.net/we/wordeditorframe.aspx?edit=1&<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&>';
    const url = new URL(launchUrl(urlsrc, WOPI_SRC, { lang: 'fr-FR', disableChat: true }));
    expect(url.origin + url.pathname).toBe('https://word-edit.example.net/we/wordeditorframe.aspx');
    expect([...url.searchParams.entries()]).toEqual([
      ['edit', '1'],
      ['WOPISrc', WOPI_SRC],
      ['closebutton', 'false'],
      ['lang', 'fr-FR'],
      ['ui', 'fr-FR'],
      ['rs', 'fr-FR'],
      ['dchat', '1'],
    ]);
  });

  it('drops unfilled placeholders and a dangling ampersand', () => {
    const url = launchUrl('http://onlyoffice/hosting/wopi/word/edit?&<rs=DC_LLCC&>', WOPI_SRC);
    expect(url).toBe(
      `http://onlyoffice/hosting/wopi/word/edit?WOPISrc=${encodeURIComponent(WOPI_SRC)}&closebutton=false`,
    );
  });
});
