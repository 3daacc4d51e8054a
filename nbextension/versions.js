// The Versions view: the source versions (bundles) of the content this notebook was published to,
// which one is live, Activate (a rollback, or a draft going live; its log streams here) and Remove
// for the others. A second modal above the publish dialog.
define(['jquery', 'base/js/dialog', './api', './publish', './focus'], function ($, dialog, api, publish, focus) {
    'use strict';

    // 1234567 -> "1.2 MB" (decimal units, as the CLI prints them).
    function humanBytes(n) {
        if (typeof n !== 'number') {
            return '';
        }
        var units = ['B', 'kB', 'MB', 'GB'];
        var i = 0;
        while (n >= 1000 && i < units.length - 1) {
            n /= 1000;
            i += 1;
        }
        return (i === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)) + ' ' + units[i];
    }

    function when(created) {
        if (!created) {
            return '';
        }
        var d = new Date(created);
        return isNaN(d.getTime()) ? String(created) : d.toLocaleString();
    }

    function row(v) {
        var tr = $('<tr class="rsc-version"/>')
            .attr('data-bundle', v.bundle_id)
            .toggleClass('rsc-version-live', !!v.live);
        tr.append($('<td class="rsc-version-id"/>').text(v.bundle_id));
        tr.append($('<td class="rsc-version-created"/>').text(when(v.created)));
        tr.append($('<td class="rsc-version-size"/>').text(humanBytes(v.size)));
        tr.append($('<td class="rsc-version-python"/>').text(v.python || ''));
        var actions = $('<td class="rsc-version-actions"/>');
        if (v.live) {
            actions.append($('<span class="label label-success rsc-version-live-label"/>').text('Live'));
        } else {
            actions
                .append(
                    $('<button type="button" class="btn btn-default btn-xs rsc-version-activate"/>')
                        .attr('data-bundle', v.bundle_id)
                        .text('Activate')
                )
                .append(' ')
                .append(
                    $('<button type="button" class="btn btn-default btn-xs rsc-version-remove"/>')
                        .attr('data-bundle', v.bundle_id)
                        .text('Remove')
                );
        }
        tr.append(actions);
        return tr;
    }

    // server: {name, url}; guid: the content's GUID. Resolves when the view is closed.
    function open(server, guid) {
        return new Promise(function (resolve) {
            var busy = false;
            var body = $('<div id="rsc-versions-view" class="rsc-dialog rsc-versions-view"/>');
            body.append($('<p class="rsc-versions-title"/>').text('Loading the versions…'));
            var table = $('<table class="table table-condensed rsc-versions-table"/>')
                .append(
                    $('<thead/>').append(
                        $('<tr/>')
                            .append($('<th/>').text('Version'))
                            .append($('<th/>').text('Created'))
                            .append($('<th/>').text('Size'))
                            .append($('<th/>').text('Python'))
                            .append($('<th/>'))
                    )
                )
                .append($('<tbody/>'));
            body.append(table);
            body.append($('<div id="rsc-versions-status" class="rsc-status" aria-live="polite"/>'));
            body.append($('<pre id="rsc-versions-log" class="rsc-log"/>').hide());
            body.append($('<div id="rsc-versions-error" class="alert alert-danger rsc-error" role="alert"/>').hide());

            function fail(err) {
                setBusy(false);
                body.find('#rsc-versions-status').text('');
                body.find('#rsc-versions-error')
                    .text(err.message || String(err))
                    .show();
            }
            function setBusy(on) {
                busy = on;
                body.find('button').prop('disabled', on);
                modal.find('.modal-footer button').prop('disabled', on);
            }
            function load() {
                return api.versions(server.name, guid).then(function (answer) {
                    body.find('.rsc-versions-title').text(
                        (answer.title ? '"' + answer.title + '"' : 'This content') +
                            ' on ' +
                            server.name +
                            ': ' +
                            answer.versions.length +
                            (answer.versions.length === 1 ? ' version' : ' versions') +
                            ', newest first.'
                    );
                    var rows = table.find('tbody').empty();
                    answer.versions.forEach(function (v) {
                        rows.append(row(v));
                    });
                    body.attr('data-loaded', 'true');
                });
            }
            var logView = {
                status: function (text) {
                    body.find('#rsc-versions-status').text(text);
                },
                progress: function () {},
                log: function (lines) {
                    var pre = body.find('#rsc-versions-log').show();
                    pre.append(document.createTextNode(lines.join('\n') + '\n'));
                    pre.scrollTop(pre[0].scrollHeight);
                }
            };
            body.on('click', '.rsc-version-activate', function () {
                var bundle = String($(this).attr('data-bundle'));
                body.find('#rsc-versions-error').hide();
                body.find('#rsc-versions-log').empty().hide();
                setBusy(true);
                logView.status('Activating version ' + bundle + '…');
                api.activateVersion(server.name, guid, bundle)
                    .then(function (started) {
                        return publish.follow(started.job_id, logView);
                    })
                    .then(function () {
                        return load();
                    })
                    .then(function () {
                        setBusy(false);
                        logView.status('Version ' + bundle + ' is live.');
                    })
                    .catch(fail);
            });
            body.on('click', '.rsc-version-remove', function () {
                var button = $(this);
                var bundle = String(button.attr('data-bundle'));
                body.find('#rsc-versions-error').hide();
                if (!button.hasClass('rsc-confirm')) {
                    // Removing cannot be undone: a second click confirms.
                    button.addClass('rsc-confirm btn-danger').removeClass('btn-default').text('Remove for good');
                    logView.status('Click "Remove for good" to delete version ' + bundle + '.');
                    return;
                }
                setBusy(true);
                logView.status('Removing version ' + bundle + '…');
                api.removeVersion(server.name, guid, bundle)
                    .then(function () {
                        return load();
                    })
                    .then(function () {
                        setBusy(false);
                        logView.status('Version ' + bundle + ' was removed.');
                    })
                    .catch(fail);
            });

            var modal = dialog.modal({
                title: 'Versions on Posit Connect',
                body: body,
                open: focus.afterOpen(body, null),
                buttons: { Close: { id: 'rsc-versions-close', class: 'btn-primary' } }
            });
            modal.addClass('rsc-modal rsc-versions-modal');
            modal.on('hide.bs.modal', function (e) {
                // Closing while a version is activated would hide its log: refuse while busy.
                if (busy) {
                    e.preventDefault();
                }
            });
            modal.on('hidden.bs.modal', function () {
                // The publish dialog below is still open: keep Bootstrap's scroll lock.
                if ($('.modal.in').length) {
                    $('body').addClass('modal-open');
                }
                resolve();
            });
            setBusy(true);
            load().then(function () {
                setBusy(false);
            }, fail);
        });
    }

    return { open: open };
});
