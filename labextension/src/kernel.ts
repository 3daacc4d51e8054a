// The environment snapshot, taken inside the notebook's own kernel: the handler hands out a
// stdlib-only snippet, the kernel prints one JSON line, and we pass the printed text on.
import { ISessionContext } from '@jupyterlab/apputils';
import { Kernel, KernelMessage } from '@jupyterlab/services';

const READY_TIMEOUT_MS = 60000;
const RUN_TIMEOUT_MS = 120000;

function timeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: number | undefined;
  const expired = new Promise<T>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, expired]).finally(() => window.clearTimeout(timer));
}

async function connectedKernel(session: ISessionContext): Promise<Kernel.IKernelConnection> {
  await timeout(
    session.ready,
    READY_TIMEOUT_MS,
    "The notebook's kernel did not start within a minute; restart it (Kernel > Restart Kernel) and publish again."
  );
  const kernel = session.session?.kernel;
  if (!kernel) {
    throw new Error(
      'This notebook has no running kernel; choose one (Kernel > Change Kernel) and publish again.'
    );
  }
  return kernel;
}

async function checkPython(kernel: Kernel.IKernelConnection): Promise<void> {
  const info = await kernel.info;
  const language = info?.language_info?.name || '';
  if (language && language.toLowerCase() !== 'python') {
    throw new Error(
      `Publishing with source code needs a Python kernel, and this notebook runs ${language}; ` +
        'choose "Publish finished document only" or switch to a Python kernel.'
    );
  }
}

async function run(kernel: Kernel.IKernelConnection, code: string): Promise<string> {
  let stdout = '';
  let failure: string | null = null;
  const future = kernel.requestExecute({
    code,
    silent: false,
    store_history: false,
    stop_on_error: false
  });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    if (KernelMessage.isStreamMsg(msg) && msg.content.name === 'stdout') {
      stdout += msg.content.text;
    } else if (KernelMessage.isErrorMsg(msg)) {
      failure = `${msg.content.ename}: ${msg.content.evalue}`;
    }
  };
  // `done` settles once the shell reply has come and the kernel is idle (all output delivered).
  const reply = await timeout(
    future.done,
    RUN_TIMEOUT_MS,
    'The kernel is busy and did not describe its environment within two minutes; ' +
      'wait for running cells to finish (or interrupt them) and publish again.'
  );
  if (reply.content.status !== 'ok' || failure) {
    throw new Error(
      `Reading the Python environment in the kernel failed (${failure || reply.content.status}); ` +
        'restart the kernel and publish again.'
    );
  }
  return stdout;
}

/** The snapshot's printed text (the handler parses and checks it). */
export async function snapshot(session: ISessionContext, code: Promise<string>): Promise<string> {
  const kernel = await connectedKernel(session);
  await checkPython(kernel);
  return run(kernel, await code);
}
