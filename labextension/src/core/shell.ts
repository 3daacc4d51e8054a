// The dialog frame each UI provides (a Bootstrap modal in the classic Notebook, a JupyterLab
// Dialog in JupyterLab and Notebook 7), and the footer of buttons the core puts in it: one
// step's buttons at a time, one primary among them, disabled together while work runs.
import { el, Kit } from './dom';
import type { Client } from './client';
import type { INotebook } from './notebook';
import type { IResult } from './types';

export interface IShellOptions {
  title: string;
  /** The dialog's body (a form built by the core). */
  body: HTMLElement;
  /** The core's button row, for the dialog's footer. */
  footer: HTMLElement;
  /** A class for the dialog's outer element: rsc-publish-modal, rsc-add-server-modal. */
  cls: string;
  /** The field that has the cursor once the dialog is open (none: the primary button). */
  focus?: string;
  /** The user asks to leave (Escape, ×, a click outside): false keeps the dialog open. */
  leave(): boolean;
  /** Enter was pressed outside a button. */
  enter(): void;
}

export interface IShell {
  close(): void;
  /** Settles once the dialog has closed, however it closed. */
  closed: Promise<void>;
}

/** Everything the core needs from a UI. */
export interface IHost {
  client: Client;
  notebook: INotebook;
  kit: Kit;
  openDialog(options: IShellOptions): IShell;
  /** After a publish: the UI shows a link to the content (a draft: its preview). */
  published(result: IResult): void;
  /** A version was made live: a draft's link now opens the content. */
  madeLive(contentUrl: string): void;
  /** An error before any dialog could open. */
  showError(err: Error): void;
}

export interface IButton {
  id: string; // also its class: both UIs' tests find buttons by either
  label: string;
  kind?: 'primary' | 'danger';
  click(): void;
}

/** The footer's buttons for the current step. */
export class Footer {
  readonly node = el('div', { class: 'rsc-footer' });
  private busy = false;

  constructor(private kit: Kit) {}

  set(buttons: IButton[]): void {
    this.node.replaceChildren(...buttons.map(b => this.make(b)));
  }

  /** A button of the footer; `always` ones work while busy (a way out). */
  make(b: IButton, always = false): HTMLButtonElement {
    const node = this.kit.button(b.id, b.label, b.kind || '', { id: b.id });
    node.addEventListener('click', () => {
      if (always || !this.busy) {
        b.click();
      }
    });
    node.disabled = this.busy && !always;
    if (always) {
      node.classList.add('rsc-always');
    }
    return node;
  }

  button(id: string): HTMLButtonElement | null {
    return this.node.querySelector(`#${id}`);
  }

  /** Enter: the focused button, else the primary one (never a destructive one). */
  enter(): void {
    const focused = document.activeElement;
    if (focused instanceof HTMLButtonElement && this.node.contains(focused)) {
      focused.click();
      return;
    }
    const primary = this.node.querySelector('button[data-primary]') as HTMLButtonElement | null;
    primary?.click();
  }

  setBusy(on: boolean, root: HTMLElement): void {
    this.busy = on;
    for (const b of Array.from(this.node.querySelectorAll('button:not(.rsc-always)'))) {
      (b as HTMLButtonElement).disabled = on;
    }
    for (const b of Array.from(root.querySelectorAll('.rsc-busy-off'))) {
      (b as HTMLButtonElement).disabled = on;
    }
  }

  isBusy(): boolean {
    return this.busy;
  }
}
