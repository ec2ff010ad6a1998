"""Developer tools that are not part of the engine (LibreOffice rendering, screenshots)."""
