import os

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/")
def index():
    return {
        "message": "Hello from the sample FastAPI app",
        "greeting": os.environ.get("SAMPLE_GREETING", "no greeting"),
    }


@app.post("/echo")
async def echo(request: Request):
    return {"body": (await request.body()).decode(), "root_path": request.scope.get("root_path", "")}
