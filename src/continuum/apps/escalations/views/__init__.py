"""The escalations' pages: by audience, the parties to a disagreement (``casework``), the register's readers
(``register``) and the partnership admin (``procedure``)."""
