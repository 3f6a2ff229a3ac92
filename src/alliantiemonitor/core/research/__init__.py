"""Research analyses on item data: pure functions on pandas DataFrames, no Django."""
