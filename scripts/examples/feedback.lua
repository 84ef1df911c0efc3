-- feedback: /feedback topic:<bug|idea|praise> [area:<autocompleted>] replies
-- privately with a button; the button opens a form (a modal); submitting
-- the form stores the feedback and thanks the user.
local topics = { "bug", "idea", "praise" }
local areas = { "commands", "docs", "emulator", "hot reload", "storage", "timers" }

command({
  name = "feedback",
  description = "Tell the team what you think",
  options = {
    { type = 3, name = "topic", description = "What kind of feedback", required = true,
      choices = { { name = "Bug", value = "bug" }, { name = "Idea", value = "idea" },
                  { name = "Praise", value = "praise" } } },
    { type = 3, name = "area", description = "Which part of the bot", autocomplete = true },
  },
}, function(ix)
  local topic = ix.options.topic
  local about = topic
  if ix.options.area then about = topic .. " (" .. ix.options.area .. ")" end
  ix:respond({
    content = "Feedback about **" .. about .. "**. Press the button to write it.",
    ephemeral = true,
    components = { { type = 1, components = {
      { type = 2, style = 1, label = "Write feedback", custom_id = "feedback:open:" .. topic },
    } } },
  })
end)

-- Suggest areas matching what the user has typed so far.
autocomplete("feedback", "area", function(ix)
  local typed = string.lower(ix.options.area or "")
  local choices = {}
  for _, area in ipairs(areas) do
    if string.find(area, typed, 1, true) then
      choices[#choices + 1] = { name = area, value = area }
    end
  end
  ix:respond(choices)
end)

-- Every button whose custom_id starts with "feedback:open:" lands here.
component("feedback:open:", function(ix)
  local topic = string.sub(ix.custom_id, #"feedback:open:" + 1)
  ix:show_modal({
    custom_id = "feedback_form:" .. topic,
    title = "Your " .. topic,
    components = { { type = 1, components = {
      { type = 4, custom_id = "text", label = "What would you like to tell us?",
        style = 2, min_length = 5, max_length = 1000, required = true },
    } } },
  })
end)

-- Modal ids match exactly, so there is one handler per topic.
for _, topic in ipairs(topics) do
  modal("feedback_form:" .. topic, function(ix)
    local n = (store.get("count") or 0) + 1
    store.set("count", n)
    store.set("feedback:" .. n, { topic = topic, user = ix.user.id, text = ix.fields.text })
    log.info("feedback #" .. n .. " on " .. topic .. " from " .. ix.user.username)
    ix:respond({ content = "Thanks for your feedback on " .. topic .. "! (#" .. n .. ")", ephemeral = true })
  end)
end
