// The dialogs' layout, the same in both UIs: what must be chosen stays at the top, the options
// scroll between it and the publish's state, and the state (warnings, progress, log, error) sits
// right above the buttons, where the eye is. Colours come from JupyterLab's theme variables,
// with the classic Notebook's light colours as fallbacks.

const CSS = `
.rsc-dialog { display: flex; flex-direction: column; min-height: 0; flex: 1 1 auto; }
.rsc-step { display: flex; flex-direction: column; min-height: 0; flex: 1 1 auto; }
.rsc-essentials { flex: none; }
.rsc-scroll { overflow-y: auto; min-height: 0; flex: 1 1 auto; padding-right: 4px; }
.rsc-dialog .rsc-field { margin: 0 0 10px 0; border: none; padding: 0; min-width: 0; }
.rsc-dialog .rsc-field > label, .rsc-dialog legend {
  display: block; font-weight: 600; margin: 0 0 4px 0; padding: 0; border: none; font-size: inherit;
  color: inherit; width: auto; line-height: inherit;
}
.rsc-dialog .rsc-input { width: 100%; box-sizing: border-box; }
.rsc-choice { margin: 2px 0; }
.rsc-choice > label { display: flex; align-items: baseline; gap: 6px; font-weight: normal; margin: 0; }
.rsc-choice > label > input { flex: none; margin: 0; }
.rsc-choice > label > span { min-width: 0; }
.rsc-dialog .rsc-help {
  margin: 0 0 4px 22px; font-size: 12px; line-height: 1.4; color: var(--jp-ui-font-color2, #555);
}
.rsc-field > .rsc-help, .rsc-field > div > .rsc-help:first-child { margin-left: 0; }
.rsc-modes .rsc-choice:not(:has(input:checked)) > .rsc-help { display: none; }
.rsc-server-row { display: flex; gap: 4px; align-items: stretch; }
.rsc-server-row > select, .rsc-server-row > .jp-select-wrapper { flex: 1 1 auto; min-width: 0; margin: 0; }
.rsc-server-row > button { flex: none; margin: 0; }
.rsc-env-row { display: flex; align-items: center; gap: 4px; margin-bottom: 4px; }
.rsc-env-row > input { flex: 1; min-width: 0; }
.rsc-env-row > .rsc-env-remove { flex: none; }
.rsc-files { max-height: 8em; overflow-y: auto; padding: 0 8px;
  border: 1px solid var(--jp-border-color2, #ddd); }
.rsc-fold { margin: 8px 0; padding: 4px 8px; border: 1px solid var(--jp-border-color2, #ddd); }
.rsc-fold > summary { display: list-item; cursor: pointer; font-weight: 600; padding: 2px 0; }
.rsc-fold[open] > summary { margin-bottom: 6px; }
/* The schedule's fields two by two, so the unfolded section fits a small window's dialog. */
.rsc-schedule-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); column-gap: 12px; }
.rsc-schedule-grid > *, #rsc-schedule-when > * { min-width: 0; }
#rsc-schedule-when { display: contents; }
#rsc-schedule-days-row { grid-column: 1 / -1; }
.rsc-schedule-days { display: flex; flex-wrap: wrap; column-gap: 12px; }
.rsc-schedule-buttons { display: flex; gap: 6px; flex-wrap: wrap; margin: 0 0 6px 0; }
.rsc-schedule-buttons > button { margin: 0; }
#rsc-ca-path { margin: 2px 0 4px 22px; width: calc(100% - 22px); }
.rsc-state { flex: none; overflow-y: auto; max-height: calc(100vh - 330px);
  border-top: 1px solid var(--jp-border-color2, #e5e5e5); padding-top: 6px; margin-top: 4px; }
.rsc-status:empty { display: none; }
.rsc-state:not(:has(> .rsc-status:not(:empty), > :not(.rsc-status):not([style*='none']))) { display: none; }
.rsc-status { color: var(--jp-ui-font-color1, #333); }
.rsc-dialog .rsc-error { margin: 6px 0; padding: 6px 8px; overflow-wrap: anywhere; }
.rsc-progress-row { display: flex; align-items: center; gap: 8px; margin: 4px 0; }
.rsc-progress { flex: 0 1 50%; min-width: 0; }
.rsc-warnings-box { margin: 4px 0; padding: 4px 8px; border-left: 3px solid var(--jp-warn-color1, #f0ad4e);
  background: var(--jp-layout-color2, #fcf8e3); color: var(--jp-ui-font-color1, #333); }
.rsc-warnings { margin: 2px 0; padding-left: 1.4em; }
.rsc-warnings-label { font-weight: 600; }
.rsc-log-box > summary { display: list-item; cursor: pointer; color: var(--jp-ui-font-color2, #555); }
.rsc-dialog .rsc-log { max-height: 12em; overflow: auto; margin: 4px 0; padding: 4px;
  white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; font-size: 11px;
  background: var(--jp-layout-color2, #f5f5f5); color: var(--jp-ui-font-color1, #333);
  border: 1px solid var(--jp-border-color2, #ddd); }
@media (max-height: 760px) { .rsc-dialog .rsc-log { max-height: 6em; } }
.rsc-step-title { font-size: 1.1em; font-weight: 600; margin: 0 0 6px 0; }
.rsc-conflict-choice { padding: 6px; border: 1px solid var(--jp-border-color2, #ddd); margin: 6px 0; }
.rsc-conflict-title { font-weight: 600; }
.rsc-conflict-facts { font-size: 12px; color: var(--jp-ui-font-color2, #555); }
.rsc-versions-table { width: 100%; border-collapse: collapse; margin-bottom: 6px; }
.rsc-versions-table th, .rsc-versions-table td { text-align: left; padding: 4px; vertical-align: middle;
  border-bottom: 1px solid var(--jp-border-color2, #ddd); white-space: nowrap; }
.rsc-version-actions { text-align: right !important; }
.rsc-version-actions button + button { margin-left: 4px; }
.rsc-version-live-label { font-weight: 600; }
.rsc-footer { display: flex; justify-content: flex-end; gap: 6px; flex-wrap: wrap; width: 100%; }
.rsc-footer > button { margin: 0 !important; }
`;

/** Adds the stylesheet to the page once. */
export function installStyles(): void {
  if (!document.getElementById('rsc-core-styles')) {
    const style = document.createElement('style');
    style.id = 'rsc-core-styles';
    style.textContent = CSS;
    document.head.append(style);
  }
}
