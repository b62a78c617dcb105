-- pgbench script: landform.submit called directly with what landformd sends for POST /p/demo
-- (one prepared statement), each call with a phone and an idempotency key never used before.
WITH s AS (SELECT nextval('bench.pgbench_seq') AS n)
SELECT f.*
FROM s, landform.submit('demo', NULL, '+86139' || lpad(s.n::text, 8, '0'), '张三', NULL,
	jsonb_build_object('name', '张三', 'mobile', '+86139' || lpad(s.n::text, 8, '0'),
	                   'company', 'Bench Trading Co.', 'agree', true),
	'您提交的姓名、手机号和公司信息仅用于安排产品演示，保存不超过 12 个月；您可随时要求删除。',
	'pgbench-' || s.n, '127.0.0.1', NULL, 'zh-CN') AS f;
