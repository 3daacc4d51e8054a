"""How the dialogs word the advice an error carries as a hint: they name the control to use
where the command line names an option (exceptions.COMMAND_LINE_ADVICE). What happened is said
the same way everywhere; only the advice differs."""

from __future__ import annotations

from collections.abc import Mapping

from ..exceptions import Fix, RSConnectError

DIALOG_ADVICE: Mapping[Fix, str] = {
    Fix.PUBLISH_COPY: 'check "Publish to a new location" to publish a copy of your own',
    Fix.PUBLISH_NEW_CONTENT: 'check "Publish to a new location", or choose the publication mode it already has',
    Fix.CREATE_NEW_CONTENT: 'check "Publish to a new location"',
    Fix.MATCH_PYTHON: 'use a kernel with a matching Python, or choose "Publish finished document only"',
    Fix.TRUST_SERVER_CA: 'add the server again with its CA bundle, or with "Do not check the certificate" if you '
    "trust this network",
    Fix.GIVE_API_KEY: "add the server again with your API key",
    Fix.PUBLISH_ANYWAY: 'fix what the warnings name, or click "Publish anyway"',
    Fix.GIVE_CA_CERT: "give the path of the CA certificate on the Jupyter server, or paste its PEM text",
    Fix.CHOOSE_TITLE: "type another title",
    Fix.PUBLISH_LIVE: 'uncheck "Publish as draft" to publish live',
    Fix.NEW_OR_UPDATE: 'choose either "Publish to a new location" or the content to update',
    Fix.NAME_VARIABLE: "use letters, digits and _, not starting with a digit",
    Fix.LEAVE_OUT_FILE: 'fix it, or uncheck it under "Extra files from the notebook\'s folder"',
}

# Advice that leads to "Publish to a new location": an error that gives it needs no more said.
NEW_LOCATION_FIXES = frozenset({Fix.PUBLISH_COPY, Fix.PUBLISH_NEW_CONTENT, Fix.CREATE_NEW_CONTENT})


def for_dialog(error: RSConnectError) -> str:
    """The error's sentence with its advice in the dialog's words."""
    return error.worded(DIALOG_ADVICE)


def offers_new_location(error: RSConnectError) -> bool:
    return error.hint is not None and error.hint.fix in NEW_LOCATION_FIXES
