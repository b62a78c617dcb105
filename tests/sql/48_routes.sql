-- Routing by rule (issue 16): a city field sends each new lead to its store's pool (the seeds'
-- 区域扫码), first match wins in position order, no match keeps the page's pool, fairness
-- inside each pool stays within one, repeats are not re-routed, the history names the route,
-- preview and refusals.
\o /dev/null
DO $$ BEGIN
	PERFORM landform.register_page('scan', '区域扫码', 'lead');
	PERFORM landform.add_pool(p) FROM unnest(ARRAY['上海店', '北京店', '广州店', 'VIP']) p;
	PERFORM landform.add_staff(s, s) FROM unnest(ARRAY['sh1', 'sh2', 'sh3', 'bj1', 'bj2', 'gz1', 'gz2', 'vip1', 'd1']) s;
	PERFORM landform.join_pool('上海店', s) FROM unnest(ARRAY['sh1', 'sh2', 'sh3']) s;
	PERFORM landform.join_pool('北京店', s) FROM unnest(ARRAY['bj1', 'bj2']) s;
	PERFORM landform.join_pool('广州店', s) FROM unnest(ARRAY['gz1', 'gz2']) s;
	PERFORM landform.join_pool('VIP', 'vip1');
	PERFORM landform.join_pool('default', 'd1');
END $$;
CREATE FUNCTION pg_temp.sub(p_n integer, p_fields jsonb) RETURNS bigint LANGUAGE sql AS $$
	SELECT lead_id FROM landform.submit('scan', NULL, '+8613900000' || lpad(p_n::text, 3, '0'), NULL, NULL,
		p_fields, NULL, NULL, NULL, NULL, NULL) $$;
CREATE FUNCTION pg_temp.pool_of(p_lead bigint) RETURNS text LANGUAGE sql AS $$
	SELECT p.name || ':' || coalesce(l.route, '-') FROM landform.leads l JOIN landform.pools p ON p.id = l.pool_id
	WHERE l.id = p_lead $$;
\o

SELECT t.ok(landform.add_route('上海', 10, '{"field": "city", "eq": "上海"}', '上海店') > 0, 'add_route: 上海 -> 上海店');
SELECT t.ok(landform.add_route('北京', 20, '{"field": "city", "in": ["北京", "天津"]}', '北京店') > 0, 'add_route: 北京/天津 -> 北京店');
SELECT t.ok(landform.add_route('广州', 30, '{"field": "city", "eq": "广州"}', '广州店') > 0, 'add_route: 广州 -> 广州店');

SELECT t.is(pg_temp.pool_of(pg_temp.sub(1, '{"city": "上海"}')), '上海店:上海', 'a 上海 customer goes to 上海店, named in leads.route');
SELECT t.is(pg_temp.pool_of(pg_temp.sub(2, '{"city": "天津"}')), '北京店:北京', 'one of a list');
SELECT t.is(pg_temp.pool_of(pg_temp.sub(3, '{"city": "成都"}')), 'default:-', 'no route matches: the page''s pool');
SELECT t.is(pg_temp.pool_of(pg_temp.sub(3, '{"city": "上海"}')), 'default:-', 'a repeat submission is not re-routed');

-- First match wins: a VIP answer before the cities.
SELECT t.ok(landform.add_route('vip', 5, '{"field": "vip", "eq": "yes"}', 'VIP') > 0, 'add_route: vip first');
SELECT t.is(pg_temp.pool_of(pg_temp.sub(4, '{"city": "上海", "vip": "yes"}')), 'VIP:vip', 'a 上海 VIP goes to VIP: lower position first');

-- Fairness inside each pool: 120 more leads over the three cities and elsewhere.
\o /dev/null
SELECT pg_temp.sub(100 + i, jsonb_build_object('city', (ARRAY['上海', '北京', '广州', '成都'])[1 + i % 4]))
FROM generate_series(0, 119) i;
SELECT landform.dispatch();
\o
SELECT t.is((SELECT string_agg(p.name || '=' || n, ' ' ORDER BY p.name) FROM (
	SELECT l.pool_id, count(*) AS n FROM landform.leads l WHERE right(l.phone, 3)::integer >= 100 GROUP BY 1) x
	JOIN landform.pools p ON p.id = x.pool_id), 'default=30 上海店=30 北京店=30 广州店=30',
            'each city in its store''s pool, the rest in the page''s');
SELECT t.is((SELECT string_agg(x.pool || ':' || x.spread, ' ' ORDER BY x.pool) FROM (
	SELECT p.name AS pool, CASE WHEN max(c.n) - min(c.n) <= 1 THEN 'ok' ELSE (max(c.n) - min(c.n))::text END AS spread FROM landform.pools p
	JOIN landform.pool_members m ON m.pool_id = p.id
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM landform.assignments a
	                    WHERE a.staff_id = m.staff_id AND a.pool_id = p.id) c
	WHERE p.name IN ('上海店', '北京店', '广州店') GROUP BY p.name) x), '上海店:ok 北京店:ok 广州店:ok',
            'fair rotation inside each store''s pool (counts within one)');
SELECT t.is((SELECT string_agg(DISTINCT h.holder, ',' ORDER BY h.holder) FROM landform.lead_history h
             WHERE h.route = '北京'), 'bj1,bj2', 'lead_history names the route that chose the pool');

-- Preview, changing nothing.
SELECT t.is((SELECT string_agg(route || '>' || coalesce(pool, '-') || '=' || leads, ' ') FROM landform.preview_route()),
            'vip>VIP=1 上海>上海店=32 北京>北京店=31 广州>广州店=30 (page''s pool)>-=30',
            'preview_route: where the known leads would go now');
SELECT t.is((SELECT leads FROM landform.preview_route('{"field": "city", "eq": "广州"}')), 30::bigint,
            'preview_route(condition): how many it matches');

-- Refusals.
SELECT t.throws_like($$SELECT landform.add_route('x', 10, '{"tag": "a"}', '上海店')$$, '23505', 'already has position 10',
                     'positions are unique');
SELECT t.throws_like($$SELECT landform.add_route('x', 11, '{"tag": "a"}', 'nowhere')$$, 'P0002', 'no pool named "nowhere"',
                     'an unknown pool is named');
SELECT t.throws_like($$SELECT landform.add_route('x', 11, '{"field": "city", "equals": "a"}', '上海店')$$, '22023',
                     'at condition\.equals', 'a bad condition names its part');
SELECT landform.drop_route('vip') \g /dev/null
SELECT t.is(pg_temp.pool_of(pg_temp.sub(5, '{"city": "上海", "vip": "yes"}')), '上海店:上海', 'a dropped route routes no more');
SELECT t.throws_like($$SELECT landform.drop_route('vip')$$, 'P0002', 'no route named "vip"', 'dropping it twice');
