"""HTTP edge: the FastAPI application factory and the error-to-status table."""
