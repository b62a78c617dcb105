-- wrk script for form POSTs: every request carries a fresh stamp (its idempotency key) and a
-- phone number nobody used before, so each one must store a new lead. Counts 303 answers.
-- usage: wrk -s bench/post.lua URL -- STAMP_FILE_PREFIX PHONE_BASE
--   thread i reads STAMP_FILE_PREFIX.i (one stamp a line, bench/mint) and uses the phones
--   PHONE_BASE + i * 1000000 + 1, + 2, ... (PHONE_BASE like 13800000000).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")

local threads = {}

function setup(thread)
	thread:set("id", #threads)
	table.insert(threads, thread)
end

function init(args)
	stamps = {}
	for line in io.lines(args[1] .. "." .. id) do
		stamps[#stamps + 1] = line
	end
	phone = tonumber(args[2]) + id * 1000000
	sent, n303, other, exhausted = 0, 0, 0, 0
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function request()
	sent = sent + 1
	local s = stamps[sent]
	if s == nil then
		exhausted = exhausted + 1
		s = ""
	end
	-- name 张三, mobile "+86 138xxxxxxxx", company, consent box, stamp
	local body = string.format("name=%%E5%%BC%%A0%%E4%%B8%%89&mobile=%%2B86+%d" ..
		"&company=Bench+Trading+Co.&agree=on&_stamp=%s", phone + sent, s)
	return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
	if status == 303 then
		n303 = n303 + 1
	else
		other = other + 1
		if other <= 3 then
			io.stderr:write("post.lua: unexpected status " .. status .. "\n")
		end
	end
end

function done(summary, latency, requests)
	local n303, other, exhausted = 0, 0, 0
	for _, t in ipairs(threads) do
		n303 = n303 + t:get("n303")
		other = other + t:get("other")
		exhausted = exhausted + t:get("exhausted")
	end
	result(summary, latency, " n303=%d other=%d exhausted=%d", n303, other, exhausted)
end
