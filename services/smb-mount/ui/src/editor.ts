// Opening a file in the WOPI editor (Collabora) as Drive does: the launch route gives an access
// token and the editor's URL, and a form POSTs the token (never in a URL) to that URL into an
// iframe named as the form's target. The page's policy allows framing and posting to the
// editors' origins it knew when it was served; a newer editor would be refused, which the page
// notices and explains.
import type { App } from './context.js';
import { openDialog } from './dialogs.js';
import { button, h } from './dom.js';
import { texts } from './texts.js';
import type { Entry, MountSummary } from './types.js';

let counter = 0;

export async function openEditor(app: App, mount: MountSummary, entry: Entry): Promise<void> {
  const lang = document.documentElement.lang || 'en';
  const launch = await app.api.launchEditor(mount.name, entry.path, lang);
  const editorOrigin = new URL(launch.launch_url).origin;
  counter += 1;
  const target = `editor-frame-${String(counter)}`;

  const dialog = openDialog(texts.editorTitle(entry.name), { wide: true });
  dialog.dialog.classList.add('editor-dialog');
  const frame = h('iframe', {
    name: target,
    title: texts.editorFrame(entry.name),
    class: 'editor-frame',
    // As Drive's host page: the editor copies and pastes through the clipboard.
    allow: 'clipboard-read *; clipboard-write *',
    allowfullscreen: true,
  });
  const form = h(
    'form',
    { method: 'post', action: launch.launch_url, target, hidden: true },
    h('input', { type: 'hidden', name: 'access_token', value: launch.access_token }),
    h('input', { type: 'hidden', name: 'access_token_ttl', value: launch.access_token_ttl }),
  );
  const close = button(texts.close);
  close.addEventListener('click', () => {
    dialog.close();
  });
  const refused = (event: SecurityPolicyViolationEvent) => {
    if (event.blockedURI.startsWith(editorOrigin)) dialog.error(texts.editorBlocked);
  };
  document.addEventListener('securitypolicyviolation', refused);
  void dialog.closed.then(() => {
    document.removeEventListener('securitypolicyviolation', refused);
  });
  dialog.body.append(h('div', { class: 'dialog-buttons editor-buttons' }, close), frame, form);
  form.submit();
  close.focus();
}
