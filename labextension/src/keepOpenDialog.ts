// A JupyterLab Dialog whose buttons can run work without closing it: the publish and add-server
// dialogs stay open while the Jupyter server checks a key or publishes, and show the result.
import { Dialog } from '@jupyterlab/apputils';

export class KeepOpenDialog extends Dialog<unknown> {
  /** Called with the button index; return true to close the dialog. */
  onButton: (index: number) => boolean = () => true;
  /** While busy, Escape, the close button and clicks outside do nothing. */
  busy = false;

  constructor(
    options: Partial<Dialog.IOptions<unknown>>,
    private defaultIndex: number
  ) {
    super({ ...options, defaultButton: defaultIndex });
  }

  resolve(index?: number): void {
    const chosen = index === undefined ? this.defaultIndex : index;
    if (this.busy || !this.onButton(chosen)) {
      return;
    }
    super.resolve(chosen);
  }

  reject(): void {
    if (!this.busy) {
      super.reject();
    }
  }

  /** Close programmatically (after a success), whatever onButton says. */
  finish(): void {
    this.busy = false;
    super.reject();
  }

  setBusy(on: boolean): void {
    this.busy = on;
    this.node.querySelectorAll('.jp-Dialog-footer button, .rsc-busy-off').forEach(b => {
      (b as HTMLButtonElement).disabled = on;
    });
  }
}
