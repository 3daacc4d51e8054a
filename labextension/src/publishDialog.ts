// The publish dialog: server, title, mode, packages, environment variables, extra files.
// It stays open while publishing and shows the deploy log; errors appear as one sentence.
import { Dialog } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import * as api from './api';
import { choice, el, humanBytes, input, show } from './dom';
import { KeepOpenDialog } from './keepOpenDialog';
import * as metadata from './metadata';
import * as publish from './publish';
import * as sharing from './sharing';
import * as versions from './versionsView';

export interface IDraft {
  server?: string;
  title?: string;
  mode?: string;
}

export type Outcome = { result: api.IResult } | { addServer: IDraft } | null;

function notebookTitle(panel: NotebookPanel): string {
  return panel.context.path
    .split('/')
    .pop()!
    .replace(/\.ipynb$/i, '');
}

function envRow(name: string): HTMLElement {
  const nameInput = el('input', {
    type: 'text',
    class: 'jp-mod-styled rsc-env-name',
    placeholder: 'NAME'
  }) as HTMLInputElement;
  nameInput.value = name;
  const value = el('input', {
    type: 'password',
    class: 'jp-mod-styled rsc-env-value',
    autocomplete: 'new-password',
    placeholder: name ? 'unchanged' : 'value'
  });
  const remove = el(
    'button',
    { type: 'button', class: 'jp-mod-styled rsc-env-remove', title: 'Remove' },
    ['×']
  );
  return el('div', { class: 'rsc-env-row' }, [nameInput, ' = ', value, remove]);
}

function build(servers: api.IServer[], folder: api.IFolder, md: metadata.IRemembered): HTMLElement {
  const form = el('form', { id: 'rsc-publish-form', class: 'rsc-dialog', autocomplete: 'off' });
  const select = el('select', {
    id: 'rsc-server',
    class: 'jp-mod-styled rsc-input'
  }) as HTMLSelectElement;
  for (const s of servers) {
    select.append(el('option', { value: s.name, 'data-url': s.url }, [`${s.name} (${s.url})`]));
  }
  form.append(
    el('div', { class: 'rsc-field' }, [
      el('label', { for: 'rsc-server' }, ['Publish to']),
      el('div', { class: 'rsc-server-row' }, [
        select,
        el(
          'button',
          { type: 'button', id: 'rsc-add-server', class: 'jp-mod-styled rsc-busy-off' },
          ['Add server…']
        ),
        el(
          'button',
          { type: 'button', id: 'rsc-remove-server', class: 'jp-mod-styled rsc-busy-off' },
          ['Remove']
        ),
        el(
          'button',
          {
            type: 'button',
            id: 'rsc-versions',
            class: 'jp-mod-styled rsc-busy-off',
            title: 'The versions of the content this notebook was published to'
          },
          ['Versions…']
        )
      ])
    ])
  );
  form.append(versions.area());
  form.append(
    el('div', { class: 'rsc-field' }, [
      el('label', { for: 'rsc-title' }, ['Title']),
      el('input', { type: 'text', id: 'rsc-title', class: 'jp-mod-styled rsc-input' })
    ])
  );
  const fresh = choice(
    'checkbox',
    'rsc-new-location',
    'yes',
    'rsc-new-location',
    'Publish to a new location instead of updating the content this notebook was published to'
  );
  fresh.id = 'rsc-new-location-row';
  form.append(fresh);
  form.append(
    el('div', { class: 'rsc-field' }, [
      choice(
        'radio',
        'rsc-mode',
        'static',
        'rsc-mode-static',
        'Publish finished document only',
        'An HTML snapshot of the notebook as saved. It cannot be scheduled or re-run on the server.'
      ),
      choice(
        'radio',
        'rsc-mode',
        'jupyter-static',
        'rsc-mode-source',
        'Publish document with source code',
        'The notebook and the list of its Python packages, so Connect can recreate the environment and re-run it.'
      ),
      choice(
        'radio',
        'rsc-mode',
        'jupyter-voila',
        'rsc-mode-voila',
        'Interactive dashboard (Voila)',
        'The notebook runs for each visitor with Voila, as an app: its widgets work and its code stays hidden. Its packages must include voila.'
      )
    ])
  );

  const source = el('div', { id: 'rsc-source-options' });
  source.append(
    el('div', { class: 'rsc-field' }, [
      el('label', {}, ['Python packages']),
      choice(
        'radio',
        'rsc-packages',
        'file',
        'rsc-packages-file',
        folder.has_requirements
          ? `Use ${folder.packages_file || 'requirements.txt'} from the notebook's folder`
          : "Use the notebook folder's requirements.txt, pylock.toml, uv.lock or pyproject.toml (there is none)"
      ),
      choice(
        'radio',
        'rsc-packages',
        'generate',
        'rsc-packages-generate',
        "Generate the list from the packages installed in the kernel's environment"
      )
    ])
  );
  const rows = el('div', { id: 'rsc-env-rows' }, md.environment_names.map(envRow));
  source.append(
    el('div', { class: 'rsc-field' }, [
      el('label', {}, ['Environment variables']),
      el('div', { class: 'rsc-help' }, [
        'Values go to the server only and are never saved in the notebook; ' +
          'leave a value empty to keep the one already set on the server.'
      ]),
      rows,
      el('button', { type: 'button', id: 'rsc-env-add', class: 'jp-mod-styled' }, ['Add variable'])
    ])
  );
  form.append(source);

  const files = el('div', { id: 'rsc-files', class: 'rsc-files' });
  if (!folder.files.length) {
    files.append(el('div', { class: 'rsc-help' }, ["No other files in the notebook's folder."]));
  }
  for (const f of folder.files) {
    const box = el('input', {
      type: 'checkbox',
      class: 'rsc-file',
      value: f,
      'data-file': f
    }) as HTMLInputElement;
    box.checked = md.extra_files.indexOf(f) >= 0;
    files.append(el('div', { class: 'rsc-choice' }, [el('label', {}, [box, ' ' + f])]));
  }
  form.append(
    el('div', { class: 'rsc-field' }, [
      el('label', {}, ["Extra files from the notebook's folder"]),
      files
    ])
  );
  // Voila never shows code: these apply to the two document modes.
  form.append(
    el('div', { id: 'rsc-hide-options' }, [
      choice('checkbox', 'rsc-hide-all-input', 'yes', 'rsc-hide-all-input', 'Hide all input code'),
      choice(
        'checkbox',
        'rsc-hide-tagged-input',
        'yes',
        'rsc-hide-tagged-input',
        'Hide the input of cells tagged "hide_input"'
      )
    ])
  );
  form.append(sharing.section());
  const conflictArea = el('div', { id: 'rsc-conflict-area' });
  show(conflictArea, false);
  form.append(conflictArea);
  form.append(el('div', { id: 'rsc-status', class: 'rsc-status' }));
  const progressRow = el('div', { id: 'rsc-progress-row', class: 'rsc-progress-row' }, [
    el('progress', { id: 'rsc-progress', class: 'rsc-progress', max: '1', value: '0' }),
    el('span', { id: 'rsc-progress-text', class: 'rsc-progress-text', 'aria-live': 'polite' })
  ]);
  show(progressRow, false);
  form.append(progressRow);
  // What the checks before upload found (the log's "Warning: " lines), above the log.
  const warnings = el('ul', { id: 'rsc-warnings', class: 'rsc-warnings', role: 'status' });
  show(warnings, false);
  form.append(warnings);
  const log = el('pre', { id: 'rsc-log', class: 'rsc-log' });
  show(log, false);
  form.append(log);
  const error = el('div', { id: 'rsc-error', class: 'rsc-error', role: 'alert' });
  show(error, false);
  form.append(error);

  form.addEventListener('click', e => {
    const target = e.target as HTMLElement;
    if (target.id === 'rsc-env-add') {
      rows.append(envRow(''));
    } else if (target.classList.contains('rsc-env-remove')) {
      target.closest('.rsc-env-row')?.remove();
    }
  });
  form.addEventListener('submit', e => e.preventDefault());
  return form;
}

function applyServerDefaults(panel: NotebookPanel, form: HTMLElement, draft: IDraft): void {
  const select = form.querySelector('#rsc-server') as HTMLSelectElement;
  const option = select.selectedOptions[0];
  const known = option
    ? metadata.deployment(panel.model!, option.getAttribute('data-url') || '')
    : null;
  input(form, '#rsc-title').value = draft.title || (known && known.title) || notebookTitle(panel);
  input(form, '#rsc-new-location').checked = false;
  show(form.querySelector('#rsc-new-location-row') as HTMLElement, !!(known && known.content_guid));
  show(form.querySelector('#rsc-versions') as HTMLElement, !!(known && known.content_guid));
  show(form.querySelector('#rsc-versions-view') as HTMLElement, false);
  const mode = draft.mode || (known && known.app_mode) || 'static';
  input(form, MODE_INPUTS[mode] || '#rsc-mode-static').checked = true;
  showModeOptions(form);
}

// Each publication mode (the content's app_mode) and its radio button.
const MODE_INPUTS: { [mode: string]: string } = {
  static: '#rsc-mode-static',
  'jupyter-static': '#rsc-mode-source',
  'jupyter-voila': '#rsc-mode-voila'
};

function checkedMode(form: HTMLElement): string {
  const checked = form.querySelector('input[name=rsc-mode]:checked') as HTMLInputElement | null;
  return checked ? checked.value : 'static';
}

function showModeOptions(form: HTMLElement): void {
  const mode = checkedMode(form);
  // Packages and variables matter wherever the server runs the notebook.
  show(form.querySelector('#rsc-source-options') as HTMLElement, mode !== 'static');
  show(form.querySelector('#rsc-hide-options') as HTMLElement, mode !== 'jupyter-voila');
}

/**
 * The user's choices, or an Error whose message says what to fix. `rules` are the server's
 * (GET rsconnect_jupyter/rules, from rsconnect_jupyter/rules.py): no copy of them lives here.
 */
function read(
  form: HTMLElement,
  servers: api.IServer[],
  rules: api.IRules
): publish.IChoices | Error {
  const envName = new RegExp(`^(?:${rules.env_name_pattern})$`);
  const name = (form.querySelector('#rsc-server') as HTMLSelectElement).value;
  const server = servers.filter(s => s.name === name)[0];
  const title = input(form, '#rsc-title').value.trim();
  const mode = checkedMode(form);
  if (!server) {
    return new Error('Choose a server, or add one with "Add server…".');
  }
  if (title.length < rules.title_min_length || title.length > rules.title_max_length) {
    return new Error(
      `Enter a title of ${rules.title_min_length} to ${rules.title_max_length} characters.`
    );
  }
  const environment: { [name: string]: string } = {};
  const names: string[] = [];
  if (mode !== 'static') {
    for (const row of Array.from(form.querySelectorAll('.rsc-env-row'))) {
      const n = (row.querySelector('.rsc-env-name') as HTMLInputElement).value.trim();
      const v = (row.querySelector('.rsc-env-value') as HTMLInputElement).value;
      if (!n) {
        continue;
      }
      if (!envName.test(n)) {
        return new Error(
          `"${n}" is not a valid environment variable name; use letters, digits and _.`
        );
      }
      names.push(n);
      if (v !== '') {
        environment[n] = v;
      }
    }
  }
  return {
    server,
    title,
    mode,
    new_location: input(form, '#rsc-new-location').checked,
    force_generate: input(form, '#rsc-packages-generate').checked,
    environment,
    environment_names: names,
    extra_files: Array.from(form.querySelectorAll('.rsc-file'))
      .filter(b => (b as HTMLInputElement).checked)
      .map(b => (b as HTMLInputElement).value),
    hide_all_input: mode !== 'jupyter-voila' && input(form, '#rsc-hide-all-input').checked,
    hide_tagged_input: mode !== 'jupyter-voila' && input(form, '#rsc-hide-tagged-input').checked,
    draft: sharing.isDraft(form),
    sharing: sharing.read(form)
  };
}

const PHASES: { [phase: string]: string } = { build: 'Building the bundle', upload: 'Uploading' };

function view(form: HTMLElement): publish.IView {
  return {
    progress: p => {
      if (!p.total) {
        return;
      }
      show(form.querySelector('#rsc-progress-row') as HTMLElement, true);
      const bar = form.querySelector('#rsc-progress') as HTMLProgressElement;
      bar.max = p.total;
      bar.value = p.done;
      (form.querySelector('#rsc-progress-text') as HTMLElement).textContent =
        `${PHASES[p.phase] || p.phase} ${humanBytes(p.done)} of ${humanBytes(p.total)}`;
    },
    status: text => {
      (form.querySelector('#rsc-status') as HTMLElement).textContent = text;
    },
    log: lines => {
      const pre = form.querySelector('#rsc-log') as HTMLElement;
      show(pre, true);
      pre.append(document.createTextNode(lines.join('\n') + '\n'));
      pre.scrollTop = pre.scrollHeight;
      const warnings = form.querySelector('#rsc-warnings') as HTMLElement;
      for (const line of lines.filter(l => l.startsWith('Warning: '))) {
        warnings.append(el('li', {}, [line.slice('Warning: '.length)]));
        show(warnings, true);
      }
    },
    conflictArea: form.querySelector('#rsc-conflict-area') as HTMLElement
  };
}

const CANCEL = 0;
const MANIFEST = 1;
const PUBLISH = 2;

/**
 * Resolves with {result} after a publish, {addServer: draft} when the user wants to add a
 * server, or null when closed.
 */
export async function open(
  panel: NotebookPanel,
  servers: api.IServer[],
  draft: IDraft = {},
  activated: (contentUrl: string) => void = () => undefined
): Promise<Outcome> {
  const [folder, rules] = await Promise.all([api.folderFiles(panel.context.path), api.rules()]);
  const md = metadata.read(panel.model!);
  const form = build(servers, folder, md);
  const select = form.querySelector('#rsc-server') as HTMLSelectElement;
  const preferred =
    draft.server ||
    (servers.filter(s => metadata.normalizeUrl(s.url) === md.last_server_url)[0] || servers[0])
      .name;
  select.value = preferred;
  applyServerDefaults(panel, form, draft);
  input(form, folder.has_requirements ? '#rsc-packages-file' : '#rsc-packages-generate').checked =
    true;
  input(form, '#rsc-packages-file').disabled = !folder.has_requirements;
  form.addEventListener('change', e => {
    const target = e.target as HTMLElement;
    if (target.getAttribute('name') === 'rsc-mode') {
      showModeOptions(form);
    } else if (target.id === 'rsc-server') {
      applyServerDefaults(panel, form, {});
    }
  });

  let outcome: Outcome = null;
  let manifestExists = false;
  const dialog = new KeepOpenDialog(
    {
      title: 'Publish to Posit Connect',
      body: new Widget({ node: form }),
      buttons: [
        Dialog.cancelButton({ label: 'Cancel', className: 'rsc-publish-cancel' }),
        Dialog.createButton({ label: 'Create manifest', className: 'rsc-write-manifest' }),
        Dialog.okButton({ label: 'Publish', className: 'rsc-publish-submit' })
      ],
      focusNodeSelector: '#rsc-title'
    },
    PUBLISH
  );
  dialog.addClass('rsc-modal');
  dialog.addClass('rsc-publish-modal');
  const versionsView = new versions.Versions(
    form.querySelector('#rsc-versions-view') as HTMLElement,
    { setBusy: on => dialog.setBusy(on), activated }
  );
  const errorBox = form.querySelector('#rsc-error') as HTMLElement;
  const manifestLabel = () =>
    dialog.node.querySelector('.rsc-write-manifest .jp-Dialog-buttonLabel');
  const publishLabel = () =>
    dialog.node.querySelector('.rsc-publish-submit .jp-Dialog-buttonLabel');
  let publishAnyway = false;
  const fail = (err: Error) => {
    if (err instanceof publish.JobError && err.fix === 'publish-anyway') {
      // The warnings are listed above; the next click publishes regardless.
      publishAnyway = true;
      publishLabel()!.textContent = 'Publish anyway';
    }
    dialog.setBusy(false);
    view(form).status('');
    errorBox.textContent = err.message || String(err);
    show(errorBox, true);
    errorBox.scrollIntoView({ block: 'nearest' }); // below the fold of a long form otherwise
  };
  const start = (action: (choices: publish.IChoices) => Promise<void>) => {
    const choices = read(form, servers, rules);
    show(errorBox, false);
    if (choices instanceof Error) {
      return fail(choices);
    }
    dialog.setBusy(true);
    const log = form.querySelector('#rsc-log') as HTMLElement;
    log.replaceChildren();
    show(log, false);
    const warnings = form.querySelector('#rsc-warnings') as HTMLElement;
    warnings.replaceChildren();
    show(warnings, false);
    show(form.querySelector('#rsc-progress-row') as HTMLElement, false);
    action(choices).catch(fail);
  };
  const finish = (value: Outcome) => {
    outcome = value;
    dialog.finish();
  };

  dialog.onButton = index => {
    if (index === MANIFEST) {
      start(async choices => {
        try {
          const r = await publish.writeManifest(panel, choices, manifestExists, view(form));
          dialog.setBusy(false);
          manifestExists = false;
          manifestLabel()!.textContent = 'Create manifest';
          view(form).status(`Wrote ${r.written.join(', ')}.`);
        } catch (err) {
          if (/already exists/.test((err as Error).message)) {
            manifestExists = true;
            manifestLabel()!.textContent = 'Replace manifest';
          }
          throw err;
        }
      });
      return false;
    }
    if (index === PUBLISH) {
      start(async choices => {
        const result = await publish.run(
          panel,
          { ...choices, publish_anyway: publishAnyway },
          view(form)
        );
        if (!result) {
          // The user cancelled the conflict question.
          dialog.setBusy(false);
          view(form).status('Publishing cancelled.');
          return;
        }
        finish({ result });
      });
      return false;
    }
    return index === CANCEL;
  };
  form.addEventListener('click', e => {
    const target = e.target as HTMLElement;
    if (target.id === 'rsc-add-server') {
      const checked = form.querySelector('input[name=rsc-mode]:checked') as HTMLInputElement | null;
      finish({
        addServer: {
          title: input(form, '#rsc-title').value,
          mode: checked ? checked.value : undefined
        }
      });
    } else if (target.id === 'rsc-versions') {
      const server = servers.filter(s => s.name === select.value)[0];
      const known = server ? metadata.deployment(panel.model!, server.url) : null;
      if (server && known && known.content_guid) {
        void versionsView.open(server, known.content_guid);
      }
    } else if (target.id === 'rsc-remove-server') {
      const name = select.value;
      dialog.setBusy(true);
      api.removeServer(name).then(() => {
        servers = servers.filter(s => s.name !== name);
        select.querySelector(`option[value="${CSS.escape(name)}"]`)?.remove();
        dialog.setBusy(false);
        if (!servers.length) {
          finish({ addServer: {} });
        } else {
          applyServerDefaults(panel, form, {});
        }
      }, fail);
    }
  });
  await dialog.launch().catch(() => undefined);
  return outcome;
}
