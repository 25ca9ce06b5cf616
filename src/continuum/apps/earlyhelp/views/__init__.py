"""Early help's pages, by audience: the assessment, the family's record, the lead professional's lists."""
