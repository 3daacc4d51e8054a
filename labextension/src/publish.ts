// The publish flow, step by step, reporting to a view ({status, log, progress, conflictArea}):
// save the notebook, snapshot the kernel's environment (source mode), pick the target (the
// remembered content, or ask when the title matches existing content), run the publish job
// and stream its log. Resolves with the deployment, or null when the user cancels.
import { NotebookPanel } from '@jupyterlab/notebook';
import * as api from './api';
import * as conflict from './conflict';
import * as kernel from './kernel';
import * as metadata from './metadata';

const POLL_MS = 400;

export interface IChoices {
  server: api.IServer;
  title: string;
  mode: string;
  new_location: boolean;
  force_generate: boolean;
  environment: { [name: string]: string };
  environment_names: string[];
  extra_files: string[];
  hide_all_input: boolean;
  hide_tagged_input: boolean;
  publish_anyway?: boolean; // the user saw the checks' warnings and goes on
  draft?: boolean; // build it without making it live (preview, then activate)
  sharing?: api.ISharing | null; // only the fields the user filled in
}

/** A publish job's error, with the control the dialog can offer (api.IJobState.fix). */
export class JobError extends Error {
  constructor(
    message: string,
    readonly fix: string | null
  ) {
    super(message);
  }
}

export interface IView {
  status(text: string): void;
  log(lines: string[]): void;
  progress(p: api.IProgress): void;
  conflictArea: HTMLElement;
}

async function saveNotebook(panel: NotebookPanel): Promise<void> {
  try {
    await panel.context.save();
  } catch {
    throw new Error(
      'The notebook could not be saved; fix the problem shown by Jupyter, then publish again.'
    );
  }
}

type Target = { new: boolean; app_id?: string } | null;

async function chooseTarget(panel: NotebookPanel, choices: IChoices, view: IView): Promise<Target> {
  if (choices.new_location) {
    return { new: true };
  }
  const known = metadata.deployment(panel.model!, choices.server.url);
  if (known && known.content_guid && known.app_mode === choices.mode) {
    return { app_id: known.content_guid, new: false };
  }
  const matches = await api.searchContent(choices.server.name, choices.title);
  if (!matches.length) {
    return { new: true };
  }
  view.status(''); // the question says what is going on; "Looking for…" would be stale
  const choice = await conflict.ask(view.conflictArea, matches, choices.mode, choices.server.name);
  if (!choice) {
    return null;
  }
  return choice.action === 'overwrite' ? { app_id: choice.guid, new: false } : { new: true };
}

export function follow(jobId: string, view: Pick<IView, 'log' | 'progress'>): Promise<api.IResult> {
  return new Promise((resolve, reject) => {
    let cursor = 0;
    const poll = () => {
      api.job(jobId, cursor).then(state => {
        cursor = state.cursor;
        if (state.lines.length) {
          view.log(state.lines);
        }
        if (state.progress) {
          view.progress(state.progress);
        }
        if (!state.finished) {
          window.setTimeout(poll, POLL_MS);
        } else if (state.error) {
          reject(new JobError(state.error, state.fix));
        } else {
          resolve(state.result!);
        }
      }, reject);
    };
    poll();
  });
}

async function takeSnapshot(
  panel: NotebookPanel,
  mode: string,
  forceGenerate: boolean,
  view: IView
): Promise<string | null> {
  if (mode === 'static') {
    return null; // an HTML snapshot needs no packages; source and Voila modes do
  }
  view.status("Reading the Python environment in the notebook's kernel…");
  return kernel.snapshot(panel.sessionContext, api.kernelCode(panel.context.path, forceGenerate));
}

export async function run(
  panel: NotebookPanel,
  choices: IChoices,
  view: IView
): Promise<api.IResult | null> {
  view.status('Saving the notebook…');
  await saveNotebook(panel);
  const snapshot = await takeSnapshot(panel, choices.mode, choices.force_generate, view);
  view.status(`Looking for content titled "${choices.title}"…`);
  const target = await chooseTarget(panel, choices, view);
  if (!target) {
    return null;
  }
  view.status(`Publishing to ${choices.server.name}…`);
  const started = await api.publish({
    server: choices.server.name,
    notebook_path: panel.context.path,
    mode: choices.mode,
    title: choices.title,
    new: target.new,
    app_id: target.app_id || null,
    extra_files: choices.extra_files,
    environment: choices.environment,
    snapshot,
    force_generate: choices.force_generate,
    hide_all_input: choices.hide_all_input,
    hide_tagged_input: choices.hide_tagged_input,
    // The checks before upload refuse until the user has seen their warnings.
    strict: !choices.publish_anyway,
    // Only what the user gave: a republish changes nothing else.
    ...(choices.draft ? { draft: true } : {}),
    ...(choices.sharing && Object.keys(choices.sharing).length ? { sharing: choices.sharing } : {})
  });
  const result = await follow(started.job_id, view);
  metadata.remember(panel.model!, result, choices);
  // Keep the remembered target in the file (best effort: the content is published).
  await panel.context.save().catch(() => undefined);
  return result;
}

export async function writeManifest(
  panel: NotebookPanel,
  choices: IChoices,
  overwrite: boolean,
  view: IView
): Promise<{ written: string[] }> {
  view.status('Saving the notebook…');
  await saveNotebook(panel);
  const snapshot = await takeSnapshot(panel, 'jupyter-static', choices.force_generate, view);
  view.status('Writing manifest.json…');
  return api.writeManifest({
    notebook_path: panel.context.path,
    snapshot,
    extra_files: choices.extra_files,
    hide_all_input: choices.hide_all_input,
    hide_tagged_input: choices.hide_tagged_input,
    overwrite
  });
}
