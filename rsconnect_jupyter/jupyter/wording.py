"""The core's messages speak to the command line ("pass --new"); in the dialog the same advice
names the control to use. Only the advice is rewritten, never what happened."""
import re

DIALOG_ADVICE = [
    (r"pass --new to publish a copy of your own",
     'check "Publish to a new location" to publish a copy of your own'),
    (r"pass --new to publish new content",
     'check "Publish to a new location", or choose the publication mode it already has'),
    (r"leave out --app-id to create new content", 'check "Publish to a new location"'),
    (r"use a matching Python with --python PATH, or pass --ignore-python-version to deploy anyway",
     'use a kernel with a matching Python, or choose "Publish finished document only"'),
    (r"pass --cacert FILE with the server's CA, or --insecure if you trust this network",
     'add the server again with its CA bundle, or with "Do not check the certificate" if you trust this network'),
    (r": pass -k/--api-key \(or set CONNECT_API_KEY\), or save the server with \"rsconnect add\"",
     ": add the server again with your API key"),
]


def for_dialog(message):
    for pattern, advice in DIALOG_ADVICE:
        message = re.sub(pattern, advice, message)
    return message
