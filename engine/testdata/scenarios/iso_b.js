on("MESSAGE_CREATE", (msg) => {
  log.info("b sees", globalThis.shared, "x".toUpperCase() + "Y".toLowerCase() + (({}).polluted || ""))
})
