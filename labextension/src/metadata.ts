// What the notebook remembers about its publishing, in notebook metadata under "rsconnect",
// with the same keys as the classic extension (so either front end republishes to the same
// content). Never a secret: per server URL the content GUID, URL, title and mode; the chosen
// extra files; the names (not the values) of environment variables.
import { INotebookModel } from '@jupyterlab/notebook';
import { IResult } from './api';

const KEY = 'rsconnect';

export interface IDeployment {
  content_guid: string;
  content_url: string;
  title: string;
  app_mode: string;
}

export interface IRemembered {
  servers: { [url: string]: IDeployment };
  last_server_url?: string;
  extra_files: string[];
  environment_names: string[];
}

export function normalizeUrl(url: string | undefined | null): string {
  return String(url || '').replace(/\/+$/, '');
}

export function read(model: INotebookModel): IRemembered {
  const stored: unknown = model.getMetadata(KEY);
  const md: Partial<IRemembered> =
    stored && typeof stored === 'object' ? JSON.parse(JSON.stringify(stored)) : {};
  md.servers = md.servers && typeof md.servers === 'object' ? md.servers : {};
  md.extra_files = Array.isArray(md.extra_files) ? md.extra_files : [];
  md.environment_names = Array.isArray(md.environment_names) ? md.environment_names : [];
  return md as IRemembered;
}

export function deployment(model: INotebookModel, serverUrl: string): IDeployment | null {
  return read(model).servers[normalizeUrl(serverUrl)] || null;
}

/** After a successful publish: remember where it went and the user's choices. */
export function remember(
  model: INotebookModel,
  result: IResult,
  choices: { extra_files: string[]; environment_names: string[] }
): void {
  const md = read(model);
  md.servers[normalizeUrl(result.server_url)] = {
    content_guid: result.content_guid,
    content_url: result.content_url,
    title: result.title,
    app_mode: result.app_mode
  };
  md.last_server_url = normalizeUrl(result.server_url);
  md.extra_files = choices.extra_files.slice();
  md.environment_names = choices.environment_names.slice();
  model.setMetadata(KEY, md);
}
