// rsconnect_jupyter: the "Publish to Posit Connect" toolbar button of the classic Notebook.
// First use asks for a server (add_server.js); then the publish dialog (publish_dialog.js);
// success shows a toolbar notification that opens the published document.
define([
    'jquery',
    'base/js/namespace',
    'base/js/dialog',
    'require',
    './api',
    './add_server',
    './publish_dialog'
], function ($, Jupyter, dialog, require, api, addServer, publishDialog) {
    'use strict';

    function loadCss() {
        $('<link rel="stylesheet" type="text/css"/>').attr('href', require.toUrl('./main.css')).appendTo('head');
    }

    function showError(err) {
        dialog
            .modal({
                title: 'Publish to Posit Connect',
                body: $('<div class="alert alert-danger rsc-error" id="rsc-fatal-error"/>').text(
                    err.message || String(err)
                ),
                buttons: { Close: { class: 'btn-primary' } }
            })
            .addClass('rsc-modal');
    }

    // A draft opens its preview (the content's URL still serves the live version).
    function notifyPublished(result) {
        var widget = Jupyter.notification_area.widget('rsconnect');
        var target = result.draft_url || result.content_url;
        widget.set_message(
            result.draft_url ? 'Draft published to Posit Connect: preview it' : 'Published to Posit Connect: open it',
            undefined,
            function () {
                window.open(target, '_blank', 'noopener');
            },
            { title: target, icon: 'fa fa-external-link' }
        );
        widget.element.attr('data-url', target).toggleClass('rsc-draft', !!result.draft_url).addClass('rsc-published');
    }

    // The dialogs hand control back here to switch between "add a server" and "publish".
    function publishWith(servers, draft) {
        return publishDialog.open(servers, draft).then(function (outcome) {
            if (!outcome) {
                return null;
            }
            if (outcome.addServer) {
                return addThenPublish(outcome.addServer);
            }
            notifyPublished(outcome.result);
            return outcome.result;
        });
    }

    function addThenPublish(draft) {
        return addServer.open({}).then(function (added) {
            return api.listServers().then(function (servers) {
                if (!servers.length) {
                    return null;
                }
                draft = $.extend({}, draft || {});
                if (added) {
                    draft.server = added.server.name;
                }
                return publishWith(servers, draft);
            });
        });
    }

    function onClick() {
        api.listServers()
            .then(function (servers) {
                return servers.length ? publishWith(servers, {}) : addThenPublish({});
            })
            .catch(showError);
    }

    function load() {
        loadCss();
        var name = Jupyter.notebook.keyboard_manager.actions.register(
            {
                help: 'Publish to Posit Connect',
                icon: 'fa-cloud-upload',
                handler: onClick
            },
            'publish',
            'rsconnect_jupyter'
        );
        Jupyter.toolbar.add_buttons_group([{ action: name, label: '' }], 'rsconnect_jupyter');
        $('#rsconnect_jupyter button')
            .addClass('rsc-publish-button')
            .attr('id', 'rsc-publish-button')
            .attr('title', 'Publish to Posit Connect');
    }

    return { load_ipython_extension: load };
});
