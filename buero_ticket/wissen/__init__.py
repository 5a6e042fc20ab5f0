"""The knowledge base (``Wissen``): articles as Markdown files, suggestions, checks."""
