import os

import gradio as gr


def greet(name):
    return "Hello %s, from the sample Gradio app (%s)" % (name, os.environ.get("SAMPLE_GREETING", "no greeting"))


with gr.Blocks(title="Hello from the sample Gradio app") as demo:
    gr.Markdown("# Hello from the sample Gradio app")
    name = gr.Textbox(label="Name")
    greeting = gr.Textbox(label="Greeting")
    gr.Button("Greet").click(greet, name, greeting, api_name="greet")

if __name__ == "__main__":
    demo.launch()
