-- wrk script for the review ingestion benchmark: each request rates a shop with the link token of
-- one generated invitation (BENCH_TOKENS: "token slug" lines), every token once, split over wrk's
-- threads. Scores for the scheme's criteria (BENCH_CRITERIA, comma separated); texts are drawn from
-- a vocabulary so that they differ as real buyers' texts do.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

local tokens, next_token = {}, 1
local words = { "snel", "geleverd", "netjes", "verpakt", "vriendelijk", "antwoord", "binnen", "dag", "prima", "prijs", "retour", "soepel",
                "bestelling", "compleet", "klantenservice", "bereikbaar", "levering", "beloofd", "kwaliteit", "goed", "aanrader", "weer",
                "bestellen", "product", "klopte", "beschrijving", "pakket", "keurig", "tijd", "thuis" }

function init(args)
  local id, count = tonumber(wrk.thread:get("id")), tonumber(os.getenv("BENCH_THREADS") or "2")
  local index = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    index = index + 1
    if index % count == id - 1 then tokens[#tokens + 1] = line:match("(%S+)") end
  end
  math.randomseed(id * 7919)
  criteria = {}
  for criterion in string.gmatch(os.getenv("BENCH_CRITERIA") or "service", "[^,]+") do criteria[#criteria + 1] = criterion end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local token = tokens[next_token] or tokens[#tokens]
  next_token = next_token + 1
  local overall = math.random(2, 5)
  local scores = {}
  for _, criterion in ipairs(criteria) do scores[#scores + 1] = string.format('"%s":%d', criterion, math.max(1, math.min(5, overall + math.random(-1, 1)))) end
  local text = {}
  for _ = 1, 9 do text[#text + 1] = words[math.random(#words)] end
  local body = string.format('{"invitation":"%s","overall":%d,"scores":{%s},"text":"%s"}', token, overall, table.concat(scores, ","), table.concat(text, " "))
  return wrk.format(nil, "/api/v1/reviews", nil, body)
end
