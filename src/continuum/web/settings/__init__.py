"""Settings: ``base`` (read from the environment, safe defaults), ``test`` and ``production``."""
