// rsconnect_jupyter: the "Publish" toolbar button of the classic Notebook. The dialogs and the
// publish flow are the shared core (./core, built from labextension/src/core); this file places
// them: success shows a toolbar notification that opens the published document.
define(['jquery', 'base/js/namespace', 'base/js/utils', 'require', './core/index', './host'], function (
    $,
    Jupyter,
    utils,
    require,
    core,
    host
) {
    'use strict';

    // A draft opens its preview (the content's URL still serves the live version).
    function showLink(result) {
        var widget = Jupyter.notification_area.widget('rsconnect');
        var target = result.draft_url || result.content_url;
        var open = function () {
            window.open(target, '_blank', 'noopener');
        };
        var message = result.draft_url ? core.say.publishedDraft : core.say.publishedLive;
        widget.set_message(message, undefined, open, { title: target, icon: 'fa fa-external-link' });
        widget.element.attr('data-url', target).toggleClass('rsc-draft', !!result.draft_url).addClass('rsc-published');
    }

    function onClick() {
        core.startPublishing({
            client: new core.Client({
                baseUrl: utils.get_body_data('baseUrl'),
                enableCommand: 'jupyter-serverextension enable --sys-prefix --py rsconnect_jupyter'
            }),
            notebook: host.notebook,
            kit: new core.Kit(host.THEME),
            openDialog: host.openDialog,
            published: showLink,
            madeLive: function (url) {
                if (url && $('#notification_rsconnect').hasClass('rsc-draft')) {
                    showLink({ content_url: url });
                }
            },
            showError: function (err) {
                host.openDialog({
                    title: core.say.publishTitle,
                    body: $('<div class="alert alert-danger rsc-error" id="rsc-fatal-error"/>').text(err.message)[0],
                    footer: $('<div/>')[0],
                    cls: 'rsc-error-modal',
                    leave: function () {
                        return true;
                    },
                    enter: function () {}
                });
            }
        });
    }

    function load() {
        $('<link rel="stylesheet" type="text/css"/>').attr('href', require.toUrl('./main.css')).appendTo('head');
        var action = Jupyter.notebook.keyboard_manager.actions.register(
            { help: core.say.publishTitle, icon: 'fa-cloud-upload', handler: onClick },
            'publish',
            'rsconnect_jupyter'
        );
        Jupyter.toolbar.add_buttons_group([{ action: action, label: core.say.publish }], 'rsconnect_jupyter');
        $('#rsconnect_jupyter button')
            .removeClass('btn-default')
            .addClass('rsc-publish-button btn-primary')
            .attr({ id: 'rsc-publish-button', title: core.say.publishTitle });
    }

    return { load_ipython_extension: load };
});
