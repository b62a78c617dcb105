-- import_staged(): normalization as the web form, every refusal reason with its line,
-- dedup within the file and against the database, tags and channels, rotation of new leads.
DO $$ BEGIN
	PERFORM landform.register_page('demo', 'Demo', 'lead');
	PERFORM landform.add_pool('cold', interval '1 day');
	PERFORM landform.add_staff(l, upper(l)) FROM unnest(ARRAY['a', 'b']) l;
	PERFORM landform.join_pool('cold', l) FROM unnest(ARRAY['a', 'b']) l;
	PERFORM landform.submit('demo', NULL, '+8613800000001', NULL, NULL, '{}', NULL, 'k1', NULL, NULL, NULL);
END $$;

SELECT t.throws_like($$SELECT * FROM landform.import_staged('cold')$$, 'P0002', 'import_staging is empty',
                     'importing with nothing staged says so');

-- As \copy landform.import_staging (phone, name, channel, tags) would load it.
INSERT INTO landform.import_staging (phone, name, channel, tags) VALUES
	('138 1234 5678', ' 张三 ', 'wx', 'vip; 新客,vip'),   -- 1 imported
	('+86 138-1234-5678', 'dup', NULL, NULL),             -- 2 duplicate_in_file
	('13812', NULL, NULL, NULL),                          -- 3 too_short
	('abc', NULL, NULL, NULL),                            -- 4 bad_char
	('', NULL, NULL, NULL),                               -- 5 empty
	(NULL, 'no phone', NULL, NULL),                       -- 6 empty
	('13800000001', NULL, NULL, NULL),                    -- 7 already_known
	('13900000001', NULL, 'bad ch', NULL),                -- 8 bad_channel
	('13900000001', 'second try', 'ok_ch', NULL),         -- 9 imported (line 8 was refused)
	('13900000002', repeat('名', 201), NULL, NULL),       -- 10 name_too_long
	('+44 7911 123456', 'Ann', NULL, ''),                 -- 11 imported
	('010-12345678', NULL, NULL, NULL),                   -- 12 not_mobile
	('4155550123', NULL, NULL, NULL),                     -- 13 need_country
	('１３７ ００００ ０００１', NULL, NULL, NULL);       -- 14 imported (full-width)

CREATE TABLE rep AS SELECT * FROM landform.import_staged('cold');
SELECT t.is(total || '/' || imported || '/' || refused, '14/4/10', 'the report counts rows, imports and refusals') FROM rep;
SELECT t.is(refused_by_reason, '{"already_known": 1, "bad_channel": 1, "bad_char": 1, "duplicate_in_file": 1, "empty": 2,
                                 "name_too_long": 1, "need_country": 1, "not_mobile": 1, "too_short": 1}'::jsonb,
            'the report gives refusals by reason') FROM rep;
SELECT t.is((SELECT string_agg(line || ':' || reason, ' ' ORDER BY line) FROM landform.import_rejects r WHERE r.import_id = rep.import_id),
            '2:duplicate_in_file 3:too_short 4:bad_char 5:empty 6:empty 7:already_known 8:bad_channel 10:name_too_long 12:not_mobile 13:need_country',
            'import_rejects names each refused line and why') FROM rep;
SELECT t.is((SELECT phone FROM landform.import_rejects r WHERE r.import_id = rep.import_id AND line = 3), '13812',
            'the refused row keeps the phone as given') FROM rep;
SELECT t.is((SELECT string_agg(phone, ' ' ORDER BY id) FROM landform.leads WHERE source = 'import'),
            '+8613812345678 +8613900000001 +447911123456 +8613700000001', 'the accepted rows became leads, normalized');
SELECT t.is(l.name || '|' || c.code || '|' || array_to_string(l.tags, ',') || '|' || p.name || '|' || s.name,
            '张三|wx|vip,新客|cold|新客户', 'name trimmed, channel, tags split and deduplicated, pool, first stage')
FROM landform.leads l JOIN landform.channels c ON c.id = l.channel_id JOIN landform.pools p ON p.id = l.pool_id
JOIN landform.stages s ON s.id = l.stage_id WHERE l.phone = '+8613812345678';
SELECT t.is((SELECT count(*) FROM landform.channels WHERE code = 'ok_ch'), 1::bigint, 'unknown channels are created');
SELECT t.is((SELECT count(*) FROM landform.channels WHERE code = 'bad ch'), 0::bigint, 'bad channels are not');
SELECT t.is((SELECT count(*) FROM landform.import_staging), 0::bigint, 'the staging table is emptied');
SELECT t.is(assigned, 4::bigint, 'the new leads go straight into rotation') FROM rep;
SELECT t.is((SELECT string_agg(s.login || '=' || n, ' ' ORDER BY s.login) FROM (SELECT owner_id, count(*) n FROM landform.leads
             WHERE source = 'import' GROUP BY owner_id) x JOIN landform.staff s ON s.id = x.owner_id), 'a=2 b=2',
            'shared fairly');
SELECT t.is(i.total || '/' || i.imported || '/' || i.refused || '/' || i.assigned || '/' || (i.started_by = 'sql:' || session_user),
            '14/4/10/4/true', 'the imports table keeps the report and who ran it')
FROM landform.imports i JOIN rep ON rep.import_id = i.id;

-- A second import of the same file: all known now.
INSERT INTO landform.import_staging (phone) VALUES ('13812345678'), ('+447911123456');
SELECT t.is(imported || '/' || refused || '/' || (refused_by_reason ->> 'already_known'), '0/2/2',
            'importing the same phones again refuses them as already known') FROM landform.import_staged('cold');
SELECT t.throws_like($$SELECT * FROM landform.import_staged('nope')$$, 'P0002', 'no pool named "nope"', 'an unknown pool is named');
INSERT INTO landform.import_staging (phone) VALUES ('13812340000');
SELECT t.is(p.name, 'default', 'without a pool the default pool is used')
FROM landform.import_staged() r JOIN landform.leads l ON l.import_id = r.import_id JOIN landform.pools p ON p.id = l.pool_id;
