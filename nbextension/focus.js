// Where the cursor goes once a dialog has opened. Jupyter's dialog.modal focuses its last button
// a tick after Bootstrap's fade-in ends; text typed into a field before that would land on the
// button. So: keep the field the user already chose, else the one we name, and only then mark the
// dialog ready (the class `rsc-ready`, which the browser tests wait for before typing).
define(['jquery'], function ($) {
    'use strict';

    // Call before dialog.modal(); returns the `open` option to pass to it.
    function afterOpen(form, defaultField) {
        var chosen = null;
        form.on('focusin', 'input, select, textarea', function () {
            chosen = this;
        });
        return function () {
            var target = chosen || (defaultField ? form.find(defaultField)[0] : null);
            if (target) {
                target.focus();
            }
            $(this).addClass('rsc-ready');
        };
    }

    return { afterOpen: afterOpen };
});
