// A step of the publish dialog: the versions of the content this notebook was published to on
// the chosen server, newest first, which one is live, "Make live" (a job whose log streams here,
// like a publish) and "Delete" (two clicks) for the others; "Download source" for every one (its
// bundle, fetched by the Jupyter server, saved by the browser).
import type { Client } from './client';
import { el, find, humanBytes, Kit, show, when } from './dom';
import { follow } from './flow';
import { say } from './messages';
import type { IServer, IVersion } from './types';

export interface IVersionsHost {
  /** Disables the dialog's buttons while a version is made live or deleted. */
  setBusy(on: boolean): void;
  /** A version was made live: the content's URL now serves it. */
  madeLive(contentUrl: string): void;
}

/** Hands a file to the browser's downloads. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename, class: 'rsc-version-saved' });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function row(kit: Kit, v: IVersion, withPython: boolean): HTMLElement {
  const actions = el('td', { class: 'rsc-version-actions' });
  if (v.live) {
    actions.append(
      el('span', { class: 'rsc-version-live rsc-version-live-label' }, [say.versionLive])
    );
  } else {
    actions.append(
      kit.button('rsc-version-activate rsc-busy-off', say.versionActivate),
      kit.button('rsc-version-remove rsc-busy-off', say.versionRemove)
    );
  }
  actions.append(kit.button('rsc-version-download rsc-busy-off', say.versionDownload));
  const cls = v.live ? 'rsc-version rsc-version-live rsc-version-is-live' : 'rsc-version';
  return el('tr', { class: cls, 'data-bundle': v.bundle_id, 'data-created': when(v.created) }, [
    el('td', { class: 'rsc-version-created' }, [when(v.created)]),
    el('td', { class: 'rsc-version-size' }, [humanBytes(v.size)]),
    ...(withPython
      ? [el('td', { class: 'rsc-version-python' }, [v.python ? `Python ${v.python}` : ''])]
      : []),
    actions
  ]);
}

/** Shows the versions of `guid` on `server` in a new element of `area`. */
export function open(
  kit: Kit,
  client: Client,
  area: HTMLElement,
  server: IServer,
  guid: string,
  host: IVersionsHost
): HTMLElement {
  const view = el('div', { id: 'rsc-versions-view', class: 'rsc-versions-view' }, [
    el('h3', { class: 'rsc-step-title' }, [say.versionsTitle]),
    el('div', { class: 'rsc-versions-status rsc-versions-title', 'aria-live': 'polite' }, [
      say.versionsLoading
    ]),
    el('table', { class: 'rsc-versions-table' }),
    el('div', { id: 'rsc-versions-status', class: 'rsc-status' }),
    el('pre', { id: 'rsc-versions-log', class: 'rsc-log' }),
    kit.error('rsc-versions-error')
  ]);
  area.replaceChildren(view);
  const log = find<HTMLElement>(view, '#rsc-versions-log');
  const status = (text: string) =>
    (find<HTMLElement>(view, '#rsc-versions-status').textContent = text);
  show(log, false);
  const fail = (err: Error) => {
    host.setBusy(false);
    status('');
    const box = find<HTMLElement>(view, '#rsc-versions-error');
    box.textContent = err.message || String(err);
    show(box, true);
  };
  const load = async () => {
    const answer = await client.versions(server.name, guid);
    find<HTMLElement>(view, '.rsc-versions-status').textContent = say.versionsSummary(
      answer.title,
      server.name,
      answer.versions.length
    );
    // No Python column where no version names one (a finished document has none).
    const withPython = answer.versions.some(v => v.python);
    const head = say.versionsHead.filter(h => withPython || h !== say.versionsPython);
    find<HTMLElement>(view, '.rsc-versions-table').replaceChildren(
      el('thead', {}, [
        el(
          'tr',
          {},
          head.map(h => el('th', {}, [h]))
        )
      ]),
      el(
        'tbody',
        {},
        answer.versions.map(v => row(kit, v, withPython))
      )
    );
    view.setAttribute('data-loaded', 'true');
  };
  const run = (busyText: string, doneText: string, work: () => Promise<void>) => {
    show(find(view, '#rsc-versions-error'), false);
    host.setBusy(true);
    status(busyText);
    work()
      .then(load)
      .then(() => {
        host.setBusy(false);
        status(doneText);
      })
      .catch(fail);
  };
  view.addEventListener('click', e => {
    const button = (e.target as HTMLElement).closest('button');
    const tr = button?.closest('.rsc-version');
    if (!button || !tr) {
      return;
    }
    const bundle = tr.getAttribute('data-bundle') || '';
    const created = tr.getAttribute('data-created') || bundle;
    if (button.classList.contains('rsc-version-activate')) {
      log.replaceChildren();
      show(log, true);
      run(say.versionActivating(created), say.versionActivated(created), async () => {
        const started = await client.activate(server.name, guid, bundle);
        const result = await follow(client, started.job_id, {
          log: lines => {
            log.append(lines.join('\n') + '\n');
            log.scrollTop = log.scrollHeight;
          },
          progress: () => undefined
        });
        host.madeLive(result.content_url);
      });
    } else if (button.classList.contains('rsc-version-download')) {
      let saved = '';
      const work = async () => {
        const file = await client.downloadVersion(server.name, guid, bundle);
        save(file.blob, file.filename);
        saved = file.filename;
      };
      show(find(view, '#rsc-versions-error'), false);
      host.setBusy(true);
      status(say.versionDownloading(created));
      work()
        .then(() => {
          host.setBusy(false);
          status(say.versionDownloaded(saved));
        })
        .catch(fail);
    } else if (button.classList.contains('rsc-version-remove')) {
      if (!button.classList.contains('rsc-confirm')) {
        // Deleting cannot be undone: the second click does it.
        button.classList.add('rsc-confirm', ...kit.theme.danger.split(' ').filter(c => c));
        button.textContent = say.versionRemoveSure;
        status(say.versionRemoveAsk(created));
        return;
      }
      run(say.versionRemoving(created), say.versionRemoved(created), () =>
        client.removeVersion(server.name, guid, bundle).then(() => undefined)
      );
    }
  });
  host.setBusy(true);
  load().then(() => host.setBusy(false), fail);
  return view;
}
