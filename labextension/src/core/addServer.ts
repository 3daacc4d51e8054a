// The add-server dialog: address, name, API key, TLS choice. The handler checks the key against
// the server before saving anything, so a wrong key or a viewer account is refused right here.
import { el, find, show } from './dom';
import { say } from './messages';
import { Footer, IHost } from './shell';
import type { IServer } from './types';

const API_KEY_HELP = 'https://docs.posit.co/connect/user/api-keys/';

function form(host: IHost, prefill: { url?: string; name?: string }): HTMLElement {
  const kit = host.kit;
  const keyHelp = el('a', { href: API_KEY_HELP, target: '_blank', rel: 'noopener' }, [
    say.apiKeyHelp
  ]);
  const caPath = kit.text('rsc-ca-path', '/etc/ssl/my-ca.pem');
  caPath.disabled = true;
  const root = el('form', { id: 'rsc-add-server-form', class: 'rsc-dialog', autocomplete: 'off' }, [
    el('p', {}, [say.addIntro]),
    kit.field(
      'rsc-server-url',
      say.urlLabel,
      kit.text('rsc-server-url', 'https://connect.example.com/')
    ),
    kit.field('rsc-nickname', say.nicknameLabel, kit.text('rsc-nickname', 'my-connect')),
    kit.field('rsc-api-key', say.apiKeyLabel, kit.text('rsc-api-key', '', 'password'), keyHelp),
    el('fieldset', { class: `rsc-field ${kit.theme.field}` }, [
      el('legend', {}, [say.tlsLabel]),
      kit.choice('radio', 'rsc-tls', 'system', 'rsc-tls-system', say.tlsSystem),
      kit.choice('radio', 'rsc-tls', 'ca_bundle', 'rsc-tls-ca', say.tlsCa),
      caPath,
      kit.choice('radio', 'rsc-tls', 'insecure', 'rsc-tls-insecure', say.tlsInsecure)
    ]),
    kit.error('rsc-add-error')
  ]);
  find(root, '#rsc-server-url').value = prefill.url || '';
  find(root, '#rsc-nickname').value = prefill.name || '';
  find(root, '#rsc-tls-system').checked = true;
  root.addEventListener('change', () => {
    caPath.disabled = !find(root, '#rsc-tls-ca').checked;
  });
  root.addEventListener('submit', e => e.preventDefault());
  return root;
}

/** The server's details, or the sentence that says what to fix. */
function read(root: HTMLElement) {
  const url = find(root, '#rsc-server-url').value.trim();
  const key = find(root, '#rsc-api-key').value.trim();
  const checked = root.querySelector('input[name=rsc-tls]:checked') as HTMLInputElement | null;
  if (!url) {
    return say.needUrl;
  }
  if (!/^https?:\/\//i.test(url)) {
    return say.badUrl;
  }
  if (!key) {
    return say.needKey;
  }
  return {
    url,
    name: find(root, '#rsc-nickname').value.trim(),
    api_key: key,
    tls: checked ? checked.value : 'system',
    ca_cert: find(root, '#rsc-ca-path').value.trim()
  };
}

/** Resolves with {server} once saved, or null when the user cancels. */
export async function open(
  host: IHost,
  prefill: { url?: string; name?: string } = {}
): Promise<{ server: IServer } | null> {
  const root = form(host, prefill);
  const footer = new Footer(host.kit);
  const error = find<HTMLElement>(root, '#rsc-add-error');
  let added: { server: IServer } | null = null;
  const submit = async () => {
    const server = read(root);
    show(error, false);
    if (typeof server === 'string') {
      error.textContent = server;
      show(error, true);
      return;
    }
    footer.setBusy(true, root);
    footer.button('rsc-add-submit')!.textContent = say.checking;
    try {
      added = await host.client.addServer(server);
      shell.close();
    } catch (err) {
      error.textContent = (err as Error).message;
      show(error, true);
    } finally {
      footer.setBusy(false, root);
      footer.button('rsc-add-submit')!.textContent = say.addSubmit;
    }
  };
  footer.set([
    { id: 'rsc-add-cancel', label: say.cancel, click: () => shell.close() },
    { id: 'rsc-add-submit', label: say.addSubmit, kind: 'primary', click: () => void submit() }
  ]);
  const shell = host.openDialog({
    title: say.addTitle,
    body: root,
    footer: footer.node,
    cls: 'rsc-add-server-modal',
    focus: '#rsc-server-url',
    leave: () => !footer.isBusy(),
    enter: () => footer.enter()
  });
  await shell.closed;
  return added;
}
