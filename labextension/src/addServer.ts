// The add-server dialog: URL, nickname, API key, TLS choice. The handler checks the key against
// the server before saving anything, so a wrong key or a viewer account is refused right here.
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import * as api from './api';
import { choice, el, field, input, show } from './dom';
import { KeepOpenDialog } from './keepOpenDialog';

const API_KEY_HELP = 'https://docs.posit.co/connect/user/api-keys/';

function form(prefill: { url?: string; name?: string }): HTMLElement {
  const root = el('form', { id: 'rsc-add-server-form', class: 'rsc-dialog', autocomplete: 'off' });
  root.append(
    el('p', {}, [
      'Enter the location of your Posit Connect server, a nickname for it, and your API key. ' +
        'The key is kept on the Jupyter server and never shown again.'
    ])
  );
  root.append(
    field(
      'rsc-server-url',
      'Server URL',
      el('input', { type: 'text', placeholder: 'https://connect.example.com/' })
    )
  );
  root.append(
    field('rsc-nickname', 'Nickname', el('input', { type: 'text', placeholder: 'my-connect' }))
  );
  root.append(
    field(
      'rsc-api-key',
      'API key',
      el('input', { type: 'password', autocomplete: 'new-password' }),
      el('a', { href: API_KEY_HELP, target: '_blank', rel: 'noopener' }, [
        'How to create an API key'
      ])
    )
  );
  const tls = el('div', { class: 'rsc-field' }, [el('label', {}, ['TLS certificates'])]);
  tls.append(
    choice('radio', 'rsc-tls', 'system', 'rsc-tls-system', "Check with the system's certificates")
  );
  tls.append(
    choice(
      'radio',
      'rsc-tls',
      'ca_bundle',
      'rsc-tls-ca',
      'Check with this CA bundle (a file on the Jupyter server):'
    )
  );
  tls.append(
    el('input', {
      type: 'text',
      id: 'rsc-ca-path',
      class: 'jp-mod-styled rsc-input',
      placeholder: '/etc/ssl/my-ca.pem',
      disabled: true
    })
  );
  tls.append(
    choice(
      'radio',
      'rsc-tls',
      'insecure',
      'rsc-tls-insecure',
      'Do not check the certificate (insecure)'
    )
  );
  root.append(tls);
  const error = el('div', { id: 'rsc-add-error', class: 'rsc-error', role: 'alert' });
  show(error, false);
  root.append(error);
  input(root, '#rsc-server-url').value = prefill.url || '';
  input(root, '#rsc-nickname').value = prefill.name || '';
  input(root, '#rsc-tls-system').checked = true;
  root.addEventListener('change', () => {
    input(root, '#rsc-ca-path').disabled = !input(root, '#rsc-tls-ca').checked;
  });
  root.addEventListener('submit', e => e.preventDefault());
  return root;
}

/** Resolves with {server} once saved, or null when the user cancels. */
export function open(
  prefill: { url?: string; name?: string } = {}
): Promise<{ server: api.IServer } | null> {
  const root = form(prefill);
  const body = new Widget({ node: root });
  let added: { server: api.IServer } | null = null;
  const dialog = new KeepOpenDialog(
    {
      title: 'Add a Posit Connect server',
      body,
      buttons: [
        Dialog.cancelButton({ label: 'Cancel', className: 'rsc-add-cancel' }),
        Dialog.okButton({ label: 'Add server', className: 'rsc-add-submit' })
      ],
      focusNodeSelector: '#rsc-server-url'
    },
    1
  );
  dialog.addClass('rsc-modal');
  dialog.onButton = index => {
    if (index !== 1) {
      return true;
    }
    void submit(root, dialog).then(result => {
      if (result) {
        added = result;
        dialog.finish();
      }
    });
    return false; // keep the dialog open until the server is saved
  };
  return dialog.launch().then(
    () => added,
    () => added
  );
}

async function submit(
  root: HTMLElement,
  dialog: KeepOpenDialog
): Promise<{ server: api.IServer } | null> {
  const error = root.querySelector('#rsc-add-error') as HTMLElement;
  const say = (text: string) => {
    error.textContent = text;
    show(error, true);
    return null;
  };
  const url = input(root, '#rsc-server-url').value.trim();
  const key = input(root, '#rsc-api-key').value.trim();
  const checked = root.querySelector('input[name=rsc-tls]:checked') as HTMLInputElement | null;
  show(error, false);
  if (!url) {
    return say('Enter the URL of your Posit Connect server, e.g. https://connect.example.com/.');
  }
  if (!/^https?:\/\//i.test(url)) {
    return say('The server URL must start with http:// or https://.');
  }
  if (!key) {
    return say('Enter your API key; create one in Connect under your name > API Keys.');
  }
  dialog.setBusy(true);
  try {
    return await api.addServer({
      url,
      name: input(root, '#rsc-nickname').value.trim(),
      api_key: key,
      tls: checked ? checked.value : 'system',
      ca_cert: input(root, '#rsc-ca-path').value.trim()
    });
  } catch (err) {
    return say((err as Error).message);
  } finally {
    dialog.setBusy(false);
  }
}
