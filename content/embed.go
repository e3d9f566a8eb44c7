// Package content embeds the city's topics (<id>.<lang>.md), the intent word lists
// (intents/<lang>.yaml), the data the models learn from (phrasings/, emergency/ and
// glossary/, one <lang>.yaml each), the needs unanswered questions are grouped by
// (needs/<lang>.yaml) and the help lines (helplines.yaml), so that the binary runs
// without the source tree.
package content

import "embed"

// FS holds the content files.
//
//go:embed *.md *.yaml intents phrasings emergency glossary needs
var FS embed.FS
