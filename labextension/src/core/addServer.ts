// The add-server dialog: address, name, API key or "Sign in with Connect", TLS choice. The handler
// checks the key (or the signed-in account) against the server before saving anything, so a wrong
// key or a viewer account is refused right here.
import { el, find, show } from './dom';
import { say } from './messages';
import { Footer, IHost } from './shell';
import type { IServer } from './types';

const API_KEY_HELP = 'https://docs.posit.co/connect/user/api-keys/';
const SIGN_IN_POLL_MS = 1000;

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
    el('div', { class: `rsc-field rsc-signin-row ${kit.theme.field}` }, [
      el('span', {}, [say.signInOr]),
      ' ',
      kit.button('rsc-signin', say.signInButton, '', { id: 'rsc-signin' })
    ]),
    el('div', {
      id: 'rsc-signin-status',
      class: `rsc-signin-status ${kit.theme.help}`,
      role: 'status'
    }),
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
  show(find(root, '#rsc-signin-status'), false);
  root.addEventListener('change', () => {
    caPath.disabled = !find(root, '#rsc-tls-ca').checked;
  });
  root.addEventListener('submit', e => e.preventDefault());
  return root;
}

/** The server's details, or the sentence that says what to fix (signing in needs no key). */
function read(root: HTMLElement, needKey = true) {
  const url = find(root, '#rsc-server-url').value.trim();
  const key = find(root, '#rsc-api-key').value.trim();
  const checked = root.querySelector('input[name=rsc-tls]:checked') as HTMLInputElement | null;
  if (!url) {
    return say.needUrl;
  }
  if (!/^https?:\/\//i.test(url)) {
    return say.badUrl;
  }
  if (!key && needKey) {
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
  // "Sign in with Connect": the device flow. The Jupyter server asks for a code and waits for the
  // approval; the dialog shows the code and opens the server's approval page in a new tab. No
  // token reaches the browser: the job's result is the saved server as the dialogs see it.
  let closed = false;
  const signIn = find<HTMLButtonElement>(root, '#rsc-signin');
  const status = find<HTMLElement>(root, '#rsc-signin-status');
  const signInWithConnect = async () => {
    const server = read(root, false);
    show(error, false);
    if (typeof server === 'string') {
      error.textContent = server;
      show(error, true);
      return;
    }
    // Opened in the click itself: a browser blocks a tab opened later, after an await.
    const tab = window.open('', '_blank');
    signIn.disabled = true;
    footer.button('rsc-add-submit')!.disabled = true;
    try {
      const started = await host.client.signIn({
        url: server.url,
        name: server.name,
        tls: server.tls,
        ca_cert: server.ca_cert
      });
      const link = el(
        'a',
        {
          id: 'rsc-signin-link',
          href: started.verification_uri,
          target: '_blank',
          rel: 'noopener'
        },
        [say.signInOpen]
      );
      status.replaceChildren(say.signInCode(started.user_code), ' ', link);
      show(status, true);
      if (tab) {
        tab.opener = null;
        tab.location.href = started.verification_uri;
      }
      for (;;) {
        const state = await host.client.job(started.job_id, 0);
        if (state.finished) {
          if (state.error) {
            throw new Error(state.error);
          }
          added = state.result as unknown as { server: IServer };
          shell.close();
          return;
        }
        if (closed) {
          return;
        }
        await new Promise(resolve => setTimeout(resolve, SIGN_IN_POLL_MS));
      }
    } catch (err) {
      tab?.close();
      show(status, false);
      error.textContent = (err as Error).message;
      show(error, true);
    } finally {
      signIn.disabled = false;
      footer.button('rsc-add-submit')!.disabled = false;
    }
  };
  signIn.addEventListener('click', () => void signInWithConnect());
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
  closed = true;
  return added;
}
