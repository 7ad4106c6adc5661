"""The digest: what is new and what changed in a period for a watch list, by story.

``compose`` builds a :class:`storyline.records.Digest` from the chronicle; ``render`` writes it as HTML,
Markdown or text in French, English or Russian (gettext catalogues in each language's folder); ``mail``
sends it over SMTP.
"""
