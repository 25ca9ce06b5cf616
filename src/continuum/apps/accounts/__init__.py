"""People who use the service. Sign-in comes later; the user model exists from the start so
that records (checks, audit events) can point at their owner without a rewrite."""
