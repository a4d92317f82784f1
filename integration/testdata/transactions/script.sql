CREATE TABLE ledger (id bigint PRIMARY KEY, amount integer NOT NULL);
BEGIN;
INSERT INTO ledger VALUES (1, 100);
INSERT INTO ledger VALUES (2, -40);
COMMIT;
BEGIN;
INSERT INTO ledger VALUES (3, 999);
DELETE FROM ledger WHERE id = 1;
ROLLBACK;
SELECT id, amount FROM ledger ORDER BY id;
\set ON_ERROR_STOP 0
BEGIN;
INSERT INTO ledger VALUES (4, 1);
INSERT INTO ledger VALUES (1, 1);
SELECT count(*) FROM ledger;
COMMIT;
\set ON_ERROR_STOP 1
SELECT count(*) AS after_failed_tx FROM ledger;
\echo done
DROP TABLE ledger;
