"""Getting posts out: the durable outbox, the poster that drains it, the platform clients."""
