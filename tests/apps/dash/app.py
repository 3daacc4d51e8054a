import os

from dash import Dash, html

app = Dash(__name__)
app.layout = html.Div(
    [
        html.H1("Hello from the sample Dash app"),
        html.P(os.environ.get("SAMPLE_GREETING", "no greeting")),
    ]
)
