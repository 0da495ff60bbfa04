// The parts of the page that stay while the visitor browses: a skip link, the header (home, who
// is signed in, log out), the notices, the uploads, and the main region the views draw into.
import type { Credential } from './api.js';
import { h } from './dom.js';
import { forgetShare, loginUrl } from './identity.js';
import { BASE } from './paths.js';
import { texts } from './texts.js';

export interface Shell {
  main: HTMLElement;
  view: HTMLElement;
}

function account(credential: Credential): HTMLElement {
  if (credential.kind === 'share') {
    const login = h('a', { href: loginUrl(), class: 'button' }, texts.logIn);
    // Logging in means acting as oneself again, not through the link.
    login.addEventListener('click', () => {
      forgetShare();
    });
    return h('div', { class: 'account' }, h('span', {}, texts.viaShareLink), login);
  }
  // A plain form post: the logout ends at the IdP, which a fetch could not follow.
  const logout = h(
    'form',
    { method: 'post', action: credential.logoutUrl, class: 'logout' },
    h('input', { type: 'hidden', name: 'csrf_token', value: credential.csrfToken }),
    h('button', { type: 'submit' }, texts.logOut),
  );
  return h('div', { class: 'account' }, h('span', {}, texts.signedInAs(credential.name)), logout);
}

export function buildShell(
  root: HTMLElement,
  credential: Credential,
  notices: HTMLElement,
  uploads: HTMLElement,
): Shell {
  const view = h('div', { class: 'view' });
  const main = h('main', { id: 'main', tabindex: -1 }, notices, uploads, view);
  root.replaceChildren(
    h('a', { href: '#main', class: 'skip-link' }, texts.skipToContent),
    h(
      'header',
      { class: 'topbar' },
      h('a', { href: BASE, class: 'brand', 'data-nav': true }, texts.appName),
      account(credential),
    ),
    main,
  );
  return { main, view };
}
