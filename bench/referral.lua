-- wrk script for GET /r/<token>: each request opens the next of many referral links (a file of
-- tokens, one a line), so the per-link limit (30 a minute) measures nothing but real visits.
-- The RESULT line is get.lua's.
-- usage: wrk -s bench/referral.lua URL -- TOKENS_FILE
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "get.lua")

local tokens, n, i = {}, 0, 0

function init(args)
	for line in io.lines(args[1]) do
		n = n + 1
		tokens[n] = line
	end
	-- Threads start at different places in the list.
	i = math.random(n)
end

function request()
	i = i % n + 1
	return wrk.format("GET", "/r/" .. tokens[i])
end
