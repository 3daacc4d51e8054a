// Every sentence the publishing dialogs show, in one place, for both notebook UIs: the classic
// Notebook's view (nbextension/) and JupyterLab / Notebook 7's (labextension/src/) only place them.
// Words follow the user's view of publishing: a "finished document", a "server", "versions".

export const MODE_NAMES: { [mode: string]: string } = {
  static: 'finished document only',
  'jupyter-static': 'document with source code',
  'jupyter-voila': 'interactive dashboard (Voila)',
  unknown: 'nothing published yet'
};

export const say = {
  // -- the Jupyter server and our server extension --------------------------------------------
  noAnswer: 'The Jupyter server did not answer; check that it is still running, then try again.',
  refused:
    'The Jupyter server refused the request (your session may have expired); reload the page and try again.',
  notEnabled: (command: string) =>
    `The rsconnect_jupyter server extension is not enabled; run "${command}" and restart Jupyter.`,
  answered: (status: number) => `The Jupyter server answered ${status}; see its log for details.`,

  // -- the notebook and its kernel -----------------------------------------------------------
  notSaved:
    'The notebook could not be saved; fix the problem shown by Jupyter, then publish again.',
  kernelSlow:
    "The notebook's kernel did not start within a minute; restart it (Kernel > Restart) and publish again.",
  noKernel:
    'This notebook has no running kernel; start one (Kernel > Restart, or choose a kernel) and publish again.',
  notPython: (language: string) =>
    `Publishing with source code needs a Python kernel, and this notebook runs ${language}; ` +
    'choose "Publish finished document only" or switch to a Python kernel.',
  kernelBusy:
    'The kernel is busy and did not describe its environment within two minutes; ' +
    'wait for running cells to finish (or interrupt them) and publish again.',
  kernelFailed: (why: string) =>
    `Reading the Python environment in the kernel failed (${why}); restart the kernel and publish again.`,

  // -- the publish dialog ----------------------------------------------------------------------
  publishTitle: 'Publish to Posit Connect',
  serverLabel: 'Publish to',
  addServerButton: 'Add server…',
  removeServerButton: 'Remove server',
  versionsButton: 'Versions…',
  versionsHelp: 'The versions of the content this notebook was published to',
  titleLabel: 'Title',
  newLocation:
    'Publish to a new location instead of updating the content this notebook was published to',
  modeLabel: 'What to publish',
  modes: [
    {
      mode: 'static',
      id: 'rsc-mode-static',
      label: 'Finished document only',
      help: 'An HTML copy of the notebook as saved. Connect cannot re-run it or run it on a schedule.'
    },
    {
      mode: 'jupyter-static',
      id: 'rsc-mode-source',
      label: 'Document with source code',
      help: 'The notebook and its list of Python packages, so Connect can re-run it, also on a schedule.'
    },
    {
      mode: 'jupyter-voila',
      id: 'rsc-mode-voila',
      label: 'Interactive dashboard (Voila)',
      help: 'Each visitor gets a live copy of the notebook, with working widgets and the code hidden. Its packages must include voila.'
    }
  ],
  optionsLabel: 'More options',
  packagesLabel: 'Python packages',
  packagesFile: (file: string) => `Use ${file} from the notebook's folder`,
  packagesNoFile:
    "Use a package list from the notebook's folder (requirements.txt, pylock.toml, uv.lock or pyproject.toml; there is none)",
  packagesGenerate: "List the packages installed where the notebook's kernel runs",
  envLabel: 'Environment variables',
  envHelp:
    'Values go to the server only and are never saved in the notebook; leave a value empty to keep the one already set on the server.',
  envName: 'NAME',
  envValue: 'value',
  envUnchanged: 'unchanged',
  envAdd: 'Add variable',
  envRemove: 'Remove this variable',
  filesLabel: "Other files from the notebook's folder to publish with it",
  noFiles: "No other files in the notebook's folder.",
  hideAll: 'Hide all code cells',
  hideTagged: 'Hide the code of cells tagged "hide_input"',

  // -- sharing and draft -------------------------------------------------------------------------
  sharingLabel: 'Sharing and draft',
  draft: 'Publish as a draft',
  draftHelp:
    'Connect builds it without making it live: preview it, then make it live from "Versions…".',
  accessLabel: 'Who can see it',
  accessKeep: 'Leave as it is (a first publish: only you)',
  access: [
    { value: 'all', label: 'Anyone, no sign-in needed' },
    { value: 'logged_in', label: 'Everyone who can sign in to the server' },
    { value: 'acl', label: 'Only the people listed below' }
  ],
  viewersLabel: 'Viewers',
  viewersHelp: 'User names or e-mail addresses, separated by commas.',
  collaboratorsLabel: 'Collaborators (may also publish it)',
  vanityLabel: 'Short address',
  vanityHelp: 'A short path on the server for this content, such as /q4-report/.',
  tagsLabel: 'Tags',
  tagsHelp: 'Separated by commas; write group/tag for a tag inside a group.',

  // -- reading the choices ----------------------------------------------------------------------
  chooseServer: 'Choose a server, or add one with "Add server…".',
  titleLength: (min: number, max: number) => `Enter a title of ${min} to ${max} characters.`,
  badEnvName: (name: string) =>
    `"${name}" is not a valid environment variable name; use letters, digits and _.`,

  // -- the publish, step by step ----------------------------------------------------------------
  saving: 'Saving the notebook…',
  readingKernel: "Reading the Python environment in the notebook's kernel…",
  looking: (title: string) => `Looking for content titled "${title}"…`,
  publishing: (server: string) => `Publishing to ${server}…`,
  writingManifest: 'Writing manifest.json…',
  wrote: (files: string[]) => `Wrote ${files.join(', ')}.`,
  cancelled: 'Publishing cancelled: nothing was changed on the server.',
  phases: { build: 'Building the bundle', upload: 'Uploading' } as { [phase: string]: string },
  progress: (phase: string, done: string, total: string) => `${phase} ${done} of ${total}`,
  warningsLabel: 'The checks before upload found:',
  warningsNext: 'Fix these and publish again, or choose "Publish anyway" to publish as it is.',
  logLabel: 'Log',
  publishedLive: 'Published. Open it on Posit Connect',
  publishedDraft: 'Draft published. Preview it on Posit Connect',

  // -- buttons ------------------------------------------------------------------------------------
  cancel: 'Cancel',
  hide: 'Hide (publishing goes on)',
  close: 'Close',
  back: 'Back',
  publish: 'Publish',
  publishAnyway: 'Publish anyway',
  writeManifest: 'Save package list (manifest.json)',
  replaceManifest: 'Replace manifest.json',

  // -- the conflict step --------------------------------------------------------------------------
  conflictTitle: 'This title is already taken',
  conflictIntro: (server: string) =>
    `Content with this title already exists on ${server}. Choose which one to update, or publish a new copy.`,
  conflictOtherMode: 'Published as another kind of content; updating it cannot change that.',
  conflictOverwrite: 'Update the chosen one',
  conflictNew: 'Publish a new copy',
  conflictOwner: (role: string | null | undefined) =>
    role === 'owner' ? 'yours' : role ? `you are its ${role}` : 'owner unknown',
  conflictDeployed: (when: string) => `last published ${when}`,
  conflictOpen: 'open it',

  // -- versions -----------------------------------------------------------------------------------
  versionsTitle: 'Versions',
  versionsHide: 'Back to publishing',
  versionsLoading: 'Loading the versions…',
  versionsSummary: (title: string, server: string, count: number) =>
    `"${title}" on ${server}: ${count} version${count === 1 ? '' : 's'}, newest first. The live one is what visitors see.`,
  versionsPython: 'Python',
  versionsHead: ['Published', 'Size', 'Python', ''],
  versionLive: 'Live',
  versionActivate: 'Make live',
  versionRemove: 'Delete',
  versionDownload: 'Download source',
  versionDownloading: (when: string) => `Downloading the source of the version of ${when}…`,
  versionDownloaded: (file: string) => `Saved the source as ${file} (your browser's downloads).`,
  versionRemoveSure: 'Delete for good',
  versionActivating: (when: string) => `Making the version of ${when} live…`,
  versionActivated: (when: string) => `The version of ${when} is live.`,
  versionRemoveAsk: (when: string) =>
    `Click "Delete for good" to delete the version of ${when}; this cannot be undone.`,
  versionRemoving: (when: string) => `Deleting the version of ${when}…`,
  versionRemoved: (when: string) => `The version of ${when} was deleted.`,

  // -- the schedule (documents with source) -------------------------------------------------------
  scheduleLabel: 'Schedule',
  scheduleHelp:
    'Posit Connect runs the notebook again on this schedule and publishes each result; a failed run keeps the last good one.',
  scheduleEvery: 'Run it again',
  scheduleChoices: [
    { value: 'off', label: 'Never (off)' },
    { value: 'minutes', label: 'Every few minutes' },
    { value: 'hours', label: 'Every few hours' },
    { value: 'day', label: 'Every day' },
    { value: 'weekday', label: 'Every weekday (Monday to Friday)' },
    { value: 'week', label: 'Every week, on the days chosen' },
    { value: 'month', label: "Every month, on the start date's day" }
  ],
  scheduleHours: 'Every how many (minutes or hours)',
  scheduleAt: 'At',
  scheduleTimezone: 'Time zone',
  scheduleStart: 'Starting on',
  scheduleDays: 'On',
  dayNames: [
    { value: 'mon', label: 'Mon' },
    { value: 'tue', label: 'Tue' },
    { value: 'wed', label: 'Wed' },
    { value: 'thu', label: 'Thu' },
    { value: 'fri', label: 'Fri' },
    { value: 'sat', label: 'Sat' },
    { value: 'sun', label: 'Sun' }
  ],
  scheduleEmail: 'Email the result to',
  emailChoices: [
    { value: 'nobody', label: 'Nobody' },
    { value: 'me', label: 'Me' },
    { value: 'collaborators', label: 'Me and the collaborators' },
    { value: 'viewers', label: 'Me, the collaborators and the viewers' },
    { value: 'all', label: 'Everyone on the server' }
  ],
  scheduleSave: 'Save schedule',
  scheduleRun: 'Run again now',
  scheduleNone: 'Not scheduled.',
  scheduleNotPublished: 'Publish first; the schedule is saved with the publish.',
  scheduleNext: (words: string, next: string) => `Runs ${words}. Next run: ${next}.`,
  scheduleSaved: 'Schedule saved.',
  scheduleRemoved: 'Schedule removed.',
  scheduleRunning: 'Running the notebook again…',
  scheduleRan: 'The notebook ran again; its result is live.',
  scheduleNoDays: 'Choose at least one day for a weekly schedule.',
  scheduleRunsLabel: 'Last runs',
  scheduleRunStatus: (status: string, how: string) =>
    `${status === 'success' ? 'succeeded' : status}${how === 'schedule' ? ' (scheduled)' : ''}`,

  // -- the add-server dialog ----------------------------------------------------------------------
  addTitle: 'Add a Posit Connect server',
  addIntro:
    'Enter the address of your Posit Connect server, a name for it, and your API key, or sign in ' +
    'with Connect instead of a key. The key or sign-in is kept on the Jupyter server, never shown.',
  urlLabel: 'Server address',
  nicknameLabel: 'Name',
  apiKeyLabel: 'API key',
  apiKeyHelp: 'How to create an API key',
  tlsLabel: 'Secure connection (TLS)',
  tlsSystem: "Check the server's certificate as usual",
  tlsCa: 'Check it against a certificate file on the Jupyter server:',
  tlsInsecure: 'Do not check the certificate (not safe)',
  addSubmit: 'Add server',
  checking: 'Checking…',
  needUrl: 'Enter the address of your Posit Connect server, e.g. https://connect.example.com/.',
  badUrl: 'The server address must start with http:// or https://.',
  needKey: 'Enter your API key; create one in Connect under your name > API Keys.',
  signInOr: 'Or, without an API key:',
  signInButton: 'Sign in with a code',
  signInBrowserButton: 'Sign in with Connect',
  signInBrowser:
    "Sign in on the server's page (opened in a new tab) and allow rsconnect-jupyter; this dialog " +
    'continues on its own.',
  signInCode: (code: string) =>
    `Approve the sign-in on the server's page (opened in a new tab); check that it shows the code ${code}.`,
  signInOpen: 'Open the approval page'
};
