"""Pure order-management logic: standard library only, so it is fast to test and easy to read."""
