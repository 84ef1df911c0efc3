// idle: a script that only subscribes, for the idle-memory workload.
let seen = 0;
on("MESSAGE_CREATE", () => { seen++; });
