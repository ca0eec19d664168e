-- a comment; with a semicolon
SELECT 'it''s; here' AS a, "odd;name" FROM customers; /* block; /* nested; */ still */
SELECT E'esc\'; aped', $$dollar; quoted$$, $tag$ more; $tag$
FROM orders
WHERE x = $1;
EXPLAIN ANALYZE (FORMAT json) SELECT * FROM "客户";
SELECT * FROM query('SELECT * FROM orders; ')
