// The add-server dialog: address, name, API key or "Sign in with Connect", TLS choice. The handler
// checks the key (or the signed-in account) against the server before saving anything, so a wrong
// key or a viewer account is refused right here.
import { el, find, show } from './dom';
import { say } from './messages';
import { Footer, IHost } from './shell';
import type { IServer } from './types';

const API_KEY_HELP = 'https://docs.posit.co/connect/user/api-keys/';
const SIGN_IN_POLL_MS = 1000;
const METHODS_DELAY_MS = 400; // asked once the address stops changing

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
      kit.button('rsc-signin-browser', say.signInBrowserButton, '', { id: 'rsc-signin-browser' }),
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
  show(find(root, '#rsc-signin-browser'), false);
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
  // "Sign in with Connect". Two flows, both run by the Jupyter server, which keeps every secret:
  // the authorization code flow (#rsc-signin-browser, shown where the server's metadata offers
  // it), answered at the Jupyter server's own callback URL, and the device flow (#rsc-signin),
  // where the dialog shows a code. Either way the tab opens on the server's page and the dialog
  // polls a job whose result is the saved server as the dialogs see it: no token reaches here.
  let closed = false;
  const signIn = find<HTMLButtonElement>(root, '#rsc-signin');
  const signInBrowser = find<HTMLButtonElement>(root, '#rsc-signin-browser');
  const status = find<HTMLElement>(root, '#rsc-signin-status');
  const setSigningIn = (busy: boolean) => {
    signIn.disabled = busy;
    signInBrowser.disabled = busy;
    footer.button('rsc-add-submit')!.disabled = busy;
  };
  const approvalLink = (href: string) =>
    el('a', { id: 'rsc-signin-link', href, target: '_blank', rel: 'noopener' }, [say.signInOpen]);
  const waitForSignIn = async (jobId: string) => {
    for (;;) {
      const state = await host.client.job(jobId, 0);
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
  };
  const signInWith = async (flow: 'device' | 'browser') => {
    const server = read(root, false);
    show(error, false);
    if (typeof server === 'string') {
      error.textContent = server;
      show(error, true);
      return;
    }
    // Opened in the click itself: a browser blocks a tab opened later, after an await.
    const tab = window.open('', '_blank');
    setSigningIn(true);
    const asked = { url: server.url, name: server.name, tls: server.tls, ca_cert: server.ca_cert };
    try {
      let page: string;
      let jobId: string;
      if (flow === 'device') {
        const started = await host.client.signIn(asked);
        page = started.verification_uri;
        jobId = started.job_id;
        status.replaceChildren(say.signInCode(started.user_code), ' ', approvalLink(page));
      } else {
        const started = await host.client.signInBrowser(asked);
        page = started.authorize_url;
        jobId = started.job_id;
        status.replaceChildren(say.signInBrowser, ' ', approvalLink(page));
      }
      show(status, true);
      if (tab) {
        tab.opener = null;
        tab.location.href = page;
      }
      await waitForSignIn(jobId);
    } catch (err) {
      tab?.close();
      show(status, false);
      error.textContent = (err as Error).message;
      show(error, true);
    } finally {
      setSigningIn(false);
    }
  };
  signIn.addEventListener('click', () => void signInWith('device'));
  signInBrowser.addEventListener('click', () => void signInWith('browser'));
  // Which flows the server offers, asked when the address or the TLS choice settles. Until it
  // answers (or if it cannot be asked), the device button stays: it says what is wrong if clicked.
  let asking = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const askMethods = async () => {
    const server = read(root, false);
    const mine = ++asking;
    if (typeof server === 'string') {
      show(signInBrowser, false);
      show(signIn, true);
      return;
    }
    const offered = await host.client
      .signInMethods({ url: server.url, name: '', tls: server.tls, ca_cert: server.ca_cert })
      .catch(() => ({ browser: false, device: true }));
    if (mine === asking) {
      show(signInBrowser, offered.browser);
      show(signIn, offered.device || !offered.browser);
    }
  };
  const askSoon = (e: Event) => {
    const target = e.target as HTMLInputElement;
    if (target.id === 'rsc-nickname' || target.id === 'rsc-api-key') {
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void askMethods(), METHODS_DELAY_MS);
  };
  root.addEventListener('input', askSoon);
  root.addEventListener('change', askSoon);
  if (prefill.url) {
    void askMethods();
  }
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
  clearTimeout(timer);
  return added;
}
