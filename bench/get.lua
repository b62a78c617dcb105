-- wrk script for GET benchmarks: prints one RESULT line bench/run parses.
-- usage: wrk -s bench/get.lua URL [-- COOKIE]   (a cookie makes every request a returning visitor)
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "result.lua")

function init(args)
	if args[1] ~= nil and args[1] ~= "" then
		wrk.headers["Cookie"] = args[1]
	end
end

function done(summary, latency, requests)
	result(summary, latency)
end
