// What the server extension's handlers answer and take (rsconnect_jupyter/jupyter/handlers.py).

export interface IServer {
  name: string;
  url: string;
  insecure: boolean;
  ca_cert: string | null;
  has_api_key: boolean;
  signs_in_with: string; // 'API key' or 'OAuth'
}

/** Content found by title (content/search). */
export interface IContent {
  guid: string;
  title: string;
  app_mode: string;
  content_url?: string;
  dashboard_url?: string;
  app_role?: string | null; // the user's role on it: owner, editor, viewer
  last_deployed_time?: string | null;
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
  packages_file: string | null; // requirements.txt, pylock.toml, uv.lock or pyproject.toml
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
  dashboard_url?: string | null;
  title: string;
  app_mode: string;
  bundle_id?: string;
  /** Set after a draft publish: the draft's preview (content_url keeps the live version). */
  draft_url?: string | null;
}

/** Who may see the content, set after the publish; only what is given changes. */
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

/** The user's choices in the publish dialog, read and checked (choices.ts). */
export interface IChoices {
  server: IServer;
  title: string;
  mode: string;
  new_location: boolean;
  force_generate: boolean;
  environment: { [name: string]: string };
  environment_names: string[];
  extra_files: string[];
  hide_all_input: boolean;
  hide_tagged_input: boolean;
  publish_anyway: boolean; // the user saw the checks' warnings and goes on
  draft: boolean; // build it without making it live (preview, then activate)
  sharing: ISharing; // only the fields the user filled in
}

/** POST publish. */
export interface IPublishRequest {
  server: string;
  notebook_path: string;
  mode: string;
  title: string;
  new: boolean;
  app_id: string | null;
  extra_files: string[];
  environment: { [name: string]: string };
  snapshot: string | null;
  force_generate: boolean;
  hide_all_input: boolean;
  hide_tagged_input: boolean;
  strict: boolean;
  draft?: boolean;
  sharing?: ISharing;
}

/** The dialog's "Schedule" section, as the user chose it (schedule.ts reads it). */
export interface IScheduleRequest {
  every: string;
  at: string | null;
  timezone: string;
  days: string[];
  start: string | null;
  email: string;
}

/** A content's schedule, who gets mail and its last runs (POST content/schedule). */
export interface IScheduleState {
  schedule: {
    type: string;
    schedule: string;
    start_time: string;
    timezone: string;
    next_run: string;
    words: string;
  } | null;
  email: string;
  runs: {
    id: number;
    start_time: string;
    status: string;
    trigger: string;
    error: string;
    url: string | null;
  }[];
}
