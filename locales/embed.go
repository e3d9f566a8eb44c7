// Package locales embeds the interface strings: go-i18n message files in goi18n's
// layout (active.<lang>.toml), German being the source language.
package locales

import "embed"

// FS holds the message files.
//
//go:embed *.toml
var FS embed.FS
