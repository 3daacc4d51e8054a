// The publish dialog's folded "Sharing and draft" section: publish as a draft, who may see the
// content, viewers and collaborators, vanity path and tags. Applied after the publish succeeds;
// only the fields the user fills in are sent, so a republish changes only what is given.
import * as api from './api';
import { choice, el, input } from './dom';

function textField(id: string, label: string, placeholder: string, help?: string): HTMLElement {
  const box = el('input', {
    type: 'text',
    id,
    class: 'jp-mod-styled rsc-input',
    placeholder
  });
  const row = el('div', { class: 'rsc-field' }, [el('label', { for: id }, [label]), box]);
  if (help) {
    row.append(el('div', { class: 'rsc-help' }, [help]));
  }
  return row;
}

/** <details id="rsc-sharing">, closed: what most users skip folds away. */
export function section(): HTMLElement {
  const access = el('select', { id: 'rsc-access', class: 'jp-mod-styled rsc-input' }, [
    el('option', { value: '' }, ['Keep as it is']),
    el('option', { value: 'all' }, ['Anyone, no login required']),
    el('option', { value: 'logged_in' }, ['Everyone who can log in']),
    el('option', { value: 'acl' }, ['Only the people listed'])
  ]);
  return el('details', { id: 'rsc-sharing', class: 'rsc-sharing' }, [
    el('summary', { class: 'rsc-sharing-summary' }, ['Sharing and draft']),
    el('div', { class: 'rsc-sharing-body' }, [
      choice(
        'checkbox',
        'rsc-draft',
        'yes',
        'rsc-draft',
        'Publish as draft',
        'Builds it on the server without making it live: preview it, then activate it from "Versions…".'
      ),
      el('div', { class: 'rsc-field' }, [el('label', { for: 'rsc-access' }, ['Access']), access]),
      textField(
        'rsc-viewers',
        'Viewers',
        'ann, bob@example.com',
        'Usernames or e-mail addresses, comma-separated.'
      ),
      textField('rsc-collaborators', 'Collaborators', 'usernames or e-mails, comma-separated'),
      textField(
        'rsc-vanity',
        'Vanity path',
        '/q4-report/',
        'A short address on the server for this content.'
      ),
      textField(
        'rsc-tags',
        'Tags',
        'finance, reports/q4',
        'Comma-separated; PARENT/NAME for a tag in a tree.'
      )
    ])
  ]);
}

function list(value: string): string[] {
  return value
    .split(',')
    .map(s => s.trim())
    .filter(s => s);
}

/** What the user filled in (an empty object when nothing). */
export function read(form: HTMLElement): api.ISharing {
  const sharing: api.ISharing = {};
  const access = (form.querySelector('#rsc-access') as HTMLSelectElement).value;
  if (access) {
    sharing.access = access as api.ISharing['access'];
  }
  const viewers = list(input(form, '#rsc-viewers').value);
  if (viewers.length) {
    sharing.viewers = viewers;
  }
  const collaborators = list(input(form, '#rsc-collaborators').value);
  if (collaborators.length) {
    sharing.collaborators = collaborators;
  }
  const vanity = input(form, '#rsc-vanity').value.trim();
  if (vanity) {
    sharing.vanity = vanity;
  }
  const tags = list(input(form, '#rsc-tags').value);
  if (tags.length) {
    sharing.tags = tags;
  }
  return sharing;
}

export function isDraft(form: HTMLElement): boolean {
  return input(form, '#rsc-draft').checked;
}
