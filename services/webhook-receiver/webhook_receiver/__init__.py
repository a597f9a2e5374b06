"""webhook-receiver: takes Walmart event notifications safely and hands them to the bus."""
