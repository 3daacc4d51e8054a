// Content with the same title already exists: overwrite it, or publish to a new location.
// Updating existing content never changes its publication mode, so content published in the
// other mode is listed but cannot be chosen for overwriting.
define(['jquery', 'base/js/dialog', './focus'], function ($, dialog, focus) {
    'use strict';

    var MODE_NAMES = {
        static: 'finished document only',
        'jupyter-static': 'document with source code',
        'jupyter-voila': 'Voila dashboard',
        unknown: 'never deployed'
    };

    function describe(item) {
        var mode = MODE_NAMES[item.app_mode] || item.app_mode || 'unknown';
        return item.title + ' (' + mode + ', ' + String(item.guid).slice(0, 8) + ')';
    }

    function usable(item, mode) {
        return !item.app_mode || item.app_mode === 'unknown' || item.app_mode === mode;
    }

    // Resolves with {action: 'overwrite', guid}, {action: 'new'}, or null (cancelled).
    function open(matches, mode, serverName) {
        return new Promise(function (resolve) {
            var settled = false;
            var form = $('<form id="rsc-conflict-form" class="rsc-dialog"/>');
            form.append(
                $('<p/>').text(
                    'Content with this title already exists on ' +
                        serverName +
                        '. Overwrite it, or choose "New location" to create a new document.'
                )
            );
            var first = true;
            matches.forEach(function (item) {
                var ok = usable(item, mode);
                var input = $('<input type="radio" name="rsc-conflict"/>')
                    .val(item.guid)
                    .attr('data-guid', item.guid)
                    .prop('disabled', !ok);
                if (ok && first) {
                    input.prop('checked', true);
                    first = false;
                }
                var row = $('<div class="radio"/>').append(
                    $('<label/>')
                        .append(input)
                        .append(document.createTextNode(' ' + describe(item)))
                );
                if (!ok) {
                    row.append(
                        $('<p class="help-block"/>').text(
                            'Published in the other mode; updating it cannot change its mode.'
                        )
                    );
                }
                form.append(row);
            });
            function finish(choice) {
                settled = true;
                resolve(choice);
            }
            var modal = dialog.modal({
                title: 'Overwrite existing content?',
                body: form,
                open: focus.afterOpen(form, null),
                buttons: {
                    Cancel: { id: 'rsc-conflict-cancel' },
                    'New location': {
                        id: 'rsc-conflict-new',
                        click: function () {
                            finish({ action: 'new' });
                        }
                    },
                    Overwrite: {
                        id: 'rsc-conflict-overwrite',
                        class: 'btn-primary',
                        click: function () {
                            var guid = form.find('input[name=rsc-conflict]:checked').val();
                            if (!guid) {
                                return false;
                            }
                            finish({ action: 'overwrite', guid: guid });
                        }
                    }
                }
            });
            modal.addClass('rsc-modal rsc-conflict-modal');
            if (first) {
                // nothing can be overwritten
                modal.find('#rsc-conflict-overwrite').prop('disabled', true);
            }
            modal.on('hidden.bs.modal', function () {
                // The publish dialog below is still open: keep Bootstrap's scroll lock.
                if ($('.modal.in').length) {
                    $('body').addClass('modal-open');
                }
                if (!settled) {
                    resolve(null);
                }
            });
        });
    }

    return { open: open };
});
