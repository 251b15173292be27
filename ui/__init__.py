"""The Gradio app and the HTTP API over `rag.service.Service`."""
