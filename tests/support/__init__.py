"""What the test folders share: numeric oracles, the op cases of the table, random expression trees,
readers of our DOT source and a runner of functions in threads. No test lives here."""
