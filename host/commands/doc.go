// Package commands owns application commands and interactions on the host
// side: validating the command specs scripts declare, syncing them to the
// platform with as little API traffic as possible (one bulk overwrite per
// changed scope, none when nothing changed), routing incoming interactions
// to the script that declared the command, component, modal or autocomplete
// handler, and answering interactions within the platform's deadlines
// (auto-defer after 2.5 s, a late respond becomes an edit of the original).
//
// The package knows nothing of scripts: a script is an opaque owner string,
// a command spec is the JSON object the script wrote, and the platform is
// reached through the narrow [API] interface, which host/rest satisfies.
package commands
