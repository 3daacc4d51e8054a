import os

import streamlit as st

st.title("Hello from the sample Streamlit app")
st.write(os.environ.get("SAMPLE_GREETING", "no greeting"))
