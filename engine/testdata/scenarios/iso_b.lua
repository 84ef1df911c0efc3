on("MESSAGE_CREATE", function(msg)
  log.info("b sees " .. tostring(shared) .. " " .. ("x"):upper() .. ("Y"):lower())
end)
