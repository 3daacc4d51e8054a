import os

import panel as pn

GREETING = os.environ.get("SAMPLE_GREETING", "no greeting")
number = pn.widgets.IntSlider(name="n", start=0, end=20, value=12)


def square(n):
    return "square of %d is %d" % (n, n * n)


pn.Column(
    pn.pane.Markdown("Hello from the sample Panel app (%s)" % GREETING),
    number,
    pn.pane.Markdown(pn.bind(square, number)),
).servable(title="Hello from the sample Panel app")
