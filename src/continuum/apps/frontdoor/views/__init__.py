"""The front door's pages (one audience: front-door workers and managers)."""
