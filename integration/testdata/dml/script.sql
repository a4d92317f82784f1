CREATE TABLE tasks (id bigint PRIMARY KEY, title text NOT NULL, done boolean DEFAULT false, prio integer);
INSERT INTO tasks (id, title, prio) VALUES (1, 'write tests', 1), (2, 'fix bugs', 2), (3, 'ship', 3), (4, 'celebrate', NULL);
INSERT INTO tasks VALUES (5, 'rest', DEFAULT, 5) RETURNING id, title, done;
SELECT id, title FROM tasks WHERE prio >= 2 AND NOT done ORDER BY prio DESC LIMIT 2;
SELECT id FROM tasks WHERE prio IS NULL OR title LIKE 'w%' ORDER BY id;
SELECT id FROM tasks WHERE id IN (2, 4) OR prio BETWEEN 5 AND 9 ORDER BY id OFFSET 1;
SELECT count(*) AS open_tasks FROM tasks WHERE NOT done;
UPDATE tasks SET done = true WHERE prio <= 2 RETURNING id, done;
DELETE FROM tasks WHERE done RETURNING title;
SELECT id, title, done, prio FROM tasks ORDER BY id;
\set ON_ERROR_STOP 0
INSERT INTO tasks (id, title) VALUES (3, 'duplicate');
\set ON_ERROR_STOP 1
SELECT count(*) FROM tasks;
DROP TABLE tasks;
