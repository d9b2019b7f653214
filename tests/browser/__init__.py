"""Real-browser checks: JupyterLab on loopback driven by Playwright and Debian's Chromium."""
