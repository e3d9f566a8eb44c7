// Package content embeds the city's topics (<id>.<lang>.md) and intent word lists
// (intents/<lang>.yaml) so that the binary runs without the source tree.
package content

import "embed"

// FS holds the content files.
//
//go:embed *.md intents
var FS embed.FS
