"""What the test folders share: numeric oracles, the op cases of the table, random expression trees,
and readers of our DOT source. No test lives here."""
