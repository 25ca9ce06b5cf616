"""The partnerships on offer: their frameworks, the document's cited words, and the shared vocabulary's labels."""
