import os

from shiny import App, render, ui

app_ui = ui.page_fluid(
    ui.h2("Hello from the sample Shiny app"),
    ui.p(os.environ.get("SAMPLE_GREETING", "no greeting")),
    ui.input_numeric("n", "n", 6),
    ui.output_text("square"),
)


def server(input, output, session):
    @render.text
    def square():
        return "square of %d is %d" % (input.n(), input.n() ** 2)


app = App(app_ui, server)
