// feedback: /feedback topic:<bug|idea|praise> [area:<autocompleted>] replies
// privately with a button; the button opens a form (a modal); submitting
// the form stores the feedback and thanks the user.
const topics = ["bug", "idea", "praise"];
const areas = ["commands", "docs", "emulator", "hot reload", "storage", "timers"];

command({
  name: "feedback",
  description: "Tell the team what you think",
  options: [
    { type: 3, name: "topic", description: "What kind of feedback", required: true,
      choices: [{ name: "Bug", value: "bug" }, { name: "Idea", value: "idea" },
                { name: "Praise", value: "praise" }] },
    { type: 3, name: "area", description: "Which part of the bot", autocomplete: true },
  ],
}, async (ix) => {
  const topic = ix.options.topic;
  const about = ix.options.area ? `${topic} (${ix.options.area})` : topic;
  await ix.respond({
    content: `Feedback about **${about}**. Press the button to write it.`,
    ephemeral: true,
    components: [{ type: 1, components: [
      { type: 2, style: 1, label: "Write feedback", custom_id: `feedback:open:${topic}` },
    ] }],
  });
});

// Suggest areas matching what the user has typed so far.
autocomplete("feedback", "area", async (ix) => {
  const typed = (ix.options.area || "").toLowerCase();
  await ix.respond(areas.filter((a) => a.includes(typed)).map((a) => ({ name: a, value: a })));
});

// Every button whose custom_id starts with "feedback:open:" lands here.
component("feedback:open:", async (ix) => {
  const topic = ix.custom_id.slice("feedback:open:".length);
  await ix.show_modal({
    custom_id: `feedback_form:${topic}`,
    title: `Your ${topic}`,
    components: [{ type: 1, components: [
      { type: 4, custom_id: "text", label: "What would you like to tell us?",
        style: 2, min_length: 5, max_length: 1000, required: true },
    ] }],
  });
});

// Modal ids match exactly, so there is one handler per topic.
for (const topic of topics) {
  modal(`feedback_form:${topic}`, async (ix) => {
    const n = ((await store.get("count")) || 0) + 1;
    await store.set("count", n);
    await store.set(`feedback:${n}`, { topic, user: ix.user.id, text: ix.fields.text });
    log.info(`feedback #${n} on ${topic} from ${ix.user.username}`);
    await ix.respond({ content: `Thanks for your feedback on ${topic}! (#${n})`, ephemeral: true });
  });
}
