// The publish dialog's folded "Sharing and draft" section: publish as a draft, who may see the
// content, viewers and collaborators, a short address and tags. Applied after the publish
// succeeds; only the fields the user fills in are sent, so a republish changes only what is given.
import { el, find, Kit } from './dom';
import { say } from './messages';
import type { ISharing } from './types';

/** <details id="rsc-sharing">, closed: what most users skip folds away. */
export function section(kit: Kit): HTMLElement {
  const access = kit.select('rsc-access', [{ value: '', label: say.accessKeep }, ...say.access]);
  return el('details', { id: 'rsc-sharing', class: 'rsc-sharing rsc-fold' }, [
    el('summary', { class: 'rsc-sharing-summary' }, [say.sharingLabel]),
    el('div', { class: 'rsc-fold-body' }, [
      kit.choice('checkbox', 'rsc-draft', 'yes', 'rsc-draft', say.draft, say.draftHelp),
      kit.field('rsc-access', say.accessLabel, access),
      kit.field(
        'rsc-viewers',
        say.viewersLabel,
        kit.text('rsc-viewers', 'ann, bob@example.com'),
        say.viewersHelp
      ),
      kit.field(
        'rsc-collaborators',
        say.collaboratorsLabel,
        kit.text('rsc-collaborators', 'ann, bob@example.com')
      ),
      kit.field(
        'rsc-vanity',
        say.vanityLabel,
        kit.text('rsc-vanity', '/q4-report/'),
        say.vanityHelp
      ),
      kit.field(
        'rsc-tags',
        say.tagsLabel,
        kit.text('rsc-tags', 'finance, reports/q4'),
        say.tagsHelp
      )
    ])
  ]);
}

/** "a, b,,c " -> ["a", "b", "c"] */
function list(text: string): string[] {
  return text
    .split(',')
    .map(s => s.trim())
    .filter(s => s);
}

/** What the user filled in (an empty object when nothing). */
export function read(form: HTMLElement): ISharing {
  const sharing: ISharing = {};
  const access = find<HTMLSelectElement>(form, '#rsc-access').value;
  if (access) {
    sharing.access = access as ISharing['access'];
  }
  for (const key of ['viewers', 'collaborators', 'tags'] as const) {
    const values = list(find(form, `#rsc-${key}`).value);
    if (values.length) {
      sharing[key] = values;
    }
  }
  const vanity = find(form, '#rsc-vanity').value.trim();
  if (vanity) {
    sharing.vanity = vanity;
  }
  return sharing;
}

export function isDraft(form: HTMLElement): boolean {
  return find(form, '#rsc-draft').checked;
}
