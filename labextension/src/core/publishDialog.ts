// The publish dialog, in steps within one dialog: the form; the question when the title is taken;
// the versions. The publish's state (status, progress, warnings, log, error) stays right above the
// buttons. Each step has one primary button and a way out.
import * as conflict from './conflict';
import { el, find, findAll, humanBytes, Kit, show } from './dom';
import { ConflictChoice, IFlowView, JobError, publish, writeManifest } from './flow';
import { say } from './messages';
import { deployment, normalizeUrl, remembered } from './notebook';
import * as form_ from './publishForm';
import { Footer, IButton, IHost } from './shell';
import type { IChoices, IProgress, IResult, IServer } from './types';
import * as schedule from './schedule';
import * as versions from './versions';

export type Outcome = { result: IResult } | { addServer: form_.IDraft } | null;

/** Text with its web addresses as links (an error names the content's dashboard page). */
export function linked(text: string): (Node | string)[] {
  return text
    .split(/(https?:\/\/[^\s"'<>]*[^\s"'<>.,;:)])/)
    .map((part, i) =>
      i % 2 ? el('a', { href: part, target: '_blank', rel: 'noopener' }, [part]) : part
    );
}

function stateView(
  kit: Kit,
  form: HTMLElement,
  footer: Footer,
  answers: { [key: string]: ConflictChoice },
  afterQuestion: () => void
): IFlowView {
  const question = find<HTMLElement>(form, '#rsc-step-question');
  return {
    status: text => (find<HTMLElement>(form, '#rsc-status').textContent = text),
    progress: (p: IProgress) => {
      if (!p.total) {
        return;
      }
      show(find(form, '#rsc-progress-row'), true);
      const bar = find<HTMLProgressElement>(form, '#rsc-progress');
      bar.max = p.total;
      bar.value = p.done;
      find<HTMLElement>(form, '#rsc-progress-text').textContent = say.progress(
        say.phases[p.phase] || p.phase,
        humanBytes(p.done),
        humanBytes(p.total)
      );
    },
    log: lines => {
      const pre = find<HTMLElement>(form, '#rsc-log');
      show(find(form, '#rsc-log-box'), true);
      pre.append(lines.join('\n') + '\n');
      pre.scrollTop = pre.scrollHeight;
      const list = find<HTMLElement>(form, '#rsc-warnings');
      const seen = findAll<HTMLElement>(list, 'li').map(li => li.textContent);
      for (const line of lines.filter(l => l.startsWith('Warning: '))) {
        const text = line.slice('Warning: '.length);
        if (seen.indexOf(text) < 0) {
          seen.push(text);
          list.append(el('li', {}, [text]));
          show(find(form, '#rsc-warnings-box'), true);
        }
      }
    },
    askConflict: async (matches, mode, serverName) => {
      const key = JSON.stringify([serverName, find(form, '#rsc-title').value.trim(), mode]);
      if (answers[key]) {
        return answers[key]; // asked already in this dialog: "Publish anyway" does not ask again
      }
      show(find(form, '#rsc-step-form'), false);
      show(question, true);
      footer.setBusy(false, form);
      try {
        return await conflict.ask(
          kit,
          question,
          buttons => footer.set(buttons),
          matches,
          mode,
          serverName
        );
      } finally {
        question.replaceChildren();
        show(question, false);
        show(find(form, '#rsc-step-form'), true);
        afterQuestion();
      }
    }
  };
}

/** Resolves with {result} after a publish, {addServer: draft} to add a server first, or null. */
export async function open(
  host: IHost,
  servers: IServer[],
  draft: form_.IDraft = {}
): Promise<Outcome> {
  const { client, notebook, kit } = host;
  const [folder, rules] = await Promise.all([client.folderFiles(notebook.path()), client.rules()]);
  const md = remembered(notebook);
  const form = form_.build(kit, servers, folder, md);
  const select = find<HTMLSelectElement>(form, '#rsc-server');
  const last = servers.filter(s => normalizeUrl(s.url) === md.last_server_url)[0];
  select.value = draft.server || (last || servers[0]).name;
  form_.applyServerDefaults(form, notebook, servers, draft);
  const footer = new Footer(kit);
  const view = stateView(kit, form, footer, {}, () => {
    toForm();
    setBusy(true);
  });
  const errorBox = find<HTMLElement>(form, '#rsc-error');
  let outcome: Outcome = null;
  let publishAnyway = false;
  let manifestExists = false;

  const formButtons = (): IButton[] => [
    { id: 'rsc-publish-cancel', label: say.cancel, click: () => shell.close() },
    {
      id: 'rsc-write-manifest',
      label: manifestExists ? say.replaceManifest : say.writeManifest,
      click: () => start(writeTheManifest)
    },
    {
      id: 'rsc-publish-submit',
      label: publishAnyway ? say.publishAnyway : say.publish,
      kind: 'primary',
      click: () => start(publishIt)
    }
  ];
  const toForm = () => footer.set(formButtons());
  let hidden = false;
  let running: Promise<void> | null = null;
  const hide: IButton = {
    id: 'rsc-publish-hide',
    label: say.hide,
    click: () => {
      hidden = true;
      shell.close();
    }
  };
  const setBusy = (on: boolean) => {
    footer.setBusy(on, form);
    const button = footer.button('rsc-publish-hide');
    if (on && running && !button) {
      footer.node.prepend(footer.make(hide, true));
    } else if (!on && button) {
      button.remove();
    }
  };
  const fail = (err: Error) => {
    if (err instanceof JobError && err.fix === 'publish-anyway') {
      publishAnyway = true; // the warnings are listed; the next click publishes regardless
    }
    setBusy(false);
    toForm();
    view.status('');
    errorBox.replaceChildren(...linked(err.message || String(err)));
    show(errorBox, true);
    if (hidden) {
      host.showError(err); // the dialog was hidden while it worked: say it where the user is
    }
  };
  const start = (action: (choices: IChoices) => Promise<void>) => {
    const choices = form_.read(form, servers, rules, publishAnyway);
    show(errorBox, false);
    if (choices instanceof Error) {
      return fail(choices);
    }
    setBusy(true);
    find(form, '#rsc-log').replaceChildren();
    find(form, '#rsc-warnings').replaceChildren();
    ['#rsc-log-box', '#rsc-warnings-box', '#rsc-progress-row'].forEach(s =>
      show(find(form, s), false)
    );
    running = action(choices).catch(fail);
    setBusy(true);
  };
  const finish = (value: Outcome) => {
    outcome = value;
    if (hidden && value && 'result' in value) {
      host.published(value.result);
      outcome = null;
    }
    shell.close();
  };
  const publishIt = async (choices: IChoices) => {
    if (choices.mode === 'jupyter-static') {
      await scheduled.checkIfChanged(); // a schedule that cannot be kept stops before the upload
    }
    const result = await publish(client, notebook, choices, view);
    if (!result) {
      setBusy(false);
      toForm();
      view.status(say.cancelled);
      return;
    }
    if (choices.mode === 'jupyter-static') {
      await scheduled.saveIfChanged(choices.server, result.content_guid); // saved with the publish
    }
    finish({ result });
  };
  const writeTheManifest = async (choices: IChoices) => {
    try {
      const r = await writeManifest(client, notebook, choices, manifestExists, view);
      manifestExists = false;
      setBusy(false);
      toForm();
      view.status(say.wrote(r.written));
    } catch (err) {
      if (/already exists/.test((err as Error).message)) {
        manifestExists = true;
      }
      throw err;
    }
  };
  const showVersions = (chosen: IServer, guid: string) => {
    const question = find<HTMLElement>(form, '#rsc-step-question');
    show(find(form, '#rsc-step-form'), false);
    show(question, true);
    const back = () => {
      question.replaceChildren();
      show(question, false);
      show(find(form, '#rsc-step-form'), true);
      toForm();
    };
    footer.set([
      { id: 'rsc-versions-close', label: say.versionsHide, kind: 'primary', click: back }
    ]);
    versions.open(kit, client, question, chosen, guid, {
      setBusy,
      madeLive: url => host.madeLive(url)
    });
  };

  const scheduled = schedule.control(client, form, setBusy);
  const loadSchedule = () => {
    const chosen = form_.server(form, servers);
    const known = chosen ? deployment(notebook, chosen.url) : null;
    scheduled.load(
      chosen,
      known && known.app_mode === 'jupyter-static' ? known.content_guid : null
    );
  };
  loadSchedule();
  form.addEventListener('change', e => {
    if ((e.target as HTMLElement).id === 'rsc-server') {
      form_.applyServerDefaults(form, notebook, servers, {});
      loadSchedule();
    }
    if (publishAnyway && !footer.isBusy()) {
      publishAnyway = false; // other choices: the checks run again before anything is published
      toForm();
    }
  });
  form.addEventListener('submit', e => e.preventDefault());
  form.addEventListener('click', e => {
    const id = (e.target as HTMLElement).id;
    const chosen = form_.server(form, servers);
    if (id === 'rsc-add-server') {
      finish({ addServer: { title: find(form, '#rsc-title').value, mode: form_.mode(form) } });
    } else if (id === 'rsc-versions' && chosen) {
      const known = deployment(notebook, chosen.url);
      if (known && known.content_guid) {
        showVersions(chosen, known.content_guid);
      }
    } else if (id === 'rsc-remove-server' && chosen) {
      setBusy(true);
      client.removeServer(chosen.name).then(() => {
        servers = servers.filter(s => s.name !== chosen.name);
        select.querySelector(`option[value="${CSS.escape(chosen.name)}"]`)?.remove();
        setBusy(false);
        if (!servers.length) {
          finish({ addServer: {} });
        } else {
          form_.applyServerDefaults(form, notebook, servers, {});
        }
      }, fail);
    }
  });
  toForm();
  const shell = host.openDialog({
    title: say.publishTitle,
    body: form,
    footer: footer.node,
    cls: 'rsc-publish-modal',
    leave: () => !footer.isBusy(),
    enter: () => footer.enter()
  });
  await shell.closed;
  return outcome;
}
