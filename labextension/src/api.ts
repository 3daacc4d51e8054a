// Calls to the extension's handlers under {baseUrl}rsconnect_jupyter/ (the same handlers the
// classic front end uses). ServerConnection sends the XSRF token; every failure becomes an Error
// whose message is one sentence for the dialog (the handlers answer {"message": ...}).
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export interface IServer {
  name: string;
  url: string;
  insecure: boolean;
  ca_cert: string | null;
  has_api_key: boolean;
}

export interface IContent {
  guid: string;
  title: string;
  app_mode: string;
  content_url?: string;
}

/** The input rules the dialogs check, as rsconnect_jupyter/rules.py gives them (GET rules). */
export interface IRules {
  /** Matches a whole environment variable name once anchored: ^(?:pattern)$. */
  env_name_pattern: string;
  title_min_length: number;
  title_max_length: number;
}

export interface IFolder {
  files: string[];
  has_requirements: boolean;
  packages_file: string | null; // requirements.txt, pylock.toml, uv.lock or pyproject.toml: where packages come from
}

/** The bundle's build or upload, in bytes (the latest the job saw). */
export interface IProgress {
  phase: 'build' | 'upload';
  done: number;
  total: number;
}

export interface IJobState {
  lines: string[];
  cursor: number;
  finished: boolean;
  result: IResult | null;
  error: string | null;
  fix: string | null; // the error's hint, e.g. 'publish-anyway' after the checks before upload
  progress: IProgress | null;
}

export interface IResult {
  server_url: string;
  content_guid: string;
  content_url: string;
  title: string;
  app_mode: string;
  bundle_id?: string;
  /** Set after a draft publish: the draft's preview (content_url keeps the live version). */
  draft_url?: string | null;
}

/** Who may see the content, set after the publish; every key optional (only what is given changes). */
export interface ISharing {
  access?: 'all' | 'logged_in' | 'acl';
  viewers?: string[];
  collaborators?: string[];
  vanity?: string;
  tags?: string[];
}

/** One source version (bundle) of the content, newest first. */
export interface IVersion {
  bundle_id: string;
  created: string;
  size: number | null;
  python: string | null;
  live: boolean;
}

function sentence(status: number, body: unknown): string {
  const message = (body as { message?: unknown } | null)?.message;
  if (typeof message === 'string') {
    return message;
  }
  if (status === 403) {
    return 'The Jupyter server refused the request (your session may have expired); reload the page and try again.';
  }
  if (status === 404) {
    return 'The rsconnect_jupyter server extension is not enabled; run "jupyter server extension enable --sys-prefix rsconnect_jupyter" and restart Jupyter.';
  }
  return `The Jupyter server answered ${status}; see its log for details.`;
}

async function request<T>(
  method: string,
  route: string,
  body?: unknown,
  query?: Record<string, string | number>
): Promise<T> {
  const settings = ServerConnection.makeSettings();
  let url = URLExt.join(settings.baseUrl, 'rsconnect_jupyter', route);
  if (query) {
    url += URLExt.objectToQueryString(query);
  }
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch {
    throw new Error(
      'The Jupyter server did not answer; check that it is still running, then try again.'
    );
  }
  let data: unknown = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new Error(sentence(response.status, data)) as Error & { status?: number };
    error.status = response.status;
    throw error;
  }
  return data as T;
}

export async function listServers(): Promise<IServer[]> {
  return (await request<{ servers: IServer[] }>('GET', 'servers')).servers;
}

export function addServer(server: {
  url: string;
  name: string;
  api_key: string;
  tls: string;
  ca_cert: string;
}): Promise<{ server: IServer }> {
  return request('POST', 'servers/add', server);
}

export function removeServer(name: string): Promise<unknown> {
  return request('POST', 'servers/remove', { server: name });
}

export async function searchContent(name: string, title: string): Promise<IContent[]> {
  return (await request<{ content: IContent[] }>('POST', 'content/search', { server: name, title }))
    .content;
}

let rulesRequest: Promise<IRules> | null = null;

/** The server's input rules, fetched once per page (again after a failure). */
export function rules(): Promise<IRules> {
  if (!rulesRequest) {
    rulesRequest = request<IRules>('GET', 'rules').catch(err => {
      rulesRequest = null;
      throw err;
    });
  }
  return rulesRequest;
}

export function folderFiles(path: string): Promise<IFolder> {
  return request('GET', 'files', undefined, { path });
}

export async function kernelCode(path: string, forceGenerate: boolean): Promise<string> {
  const query = { path, force_generate: forceGenerate ? '1' : '0' };
  return (await request<{ code: string }>('GET', 'environment', undefined, query)).code;
}

export function publish(options: Record<string, unknown>): Promise<{ job_id: string }> {
  return request('POST', 'publish', options);
}

export function job(jobId: string, cursor: number): Promise<IJobState> {
  return request('GET', `jobs/${jobId}`, undefined, { cursor });
}

export function writeManifest(options: Record<string, unknown>): Promise<{ written: string[] }> {
  return request('POST', 'manifest', options);
}

export function versions(
  server: string,
  guid: string
): Promise<{ title: string; versions: IVersion[] }> {
  return request('POST', 'content/versions', { server, guid });
}

/** Makes a version live: a job polled like a publish (its result: content_url, bundle_id). */
export function activate(
  server: string,
  guid: string,
  bundleId: string
): Promise<{ job_id: string }> {
  return request('POST', 'content/activate', { server, guid, bundle_id: bundleId });
}

export function removeVersion(server: string, guid: string, bundleId: string): Promise<unknown> {
  return request('POST', 'content/remove-version', { server, guid, bundle_id: bundleId });
}
