"""casetrail.rendering: what a reader sees, drawn from the model.

The self-contained HTML/SVG timeline page and the TimelineJS document, each drawn
from the same fold and timeline as every other answer.

May import: the model. Never the store, the read models or the CLI.
"""
