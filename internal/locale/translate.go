package locale

// The translators' workflow without rewriting their files: Pending writes what a
// language needs (missing messages, missing plural forms, German text changed since
// the translation), German text inside; Merge puts the translations back, changing
// only the lines of those messages. Every other line of the language's file —
// order, comments, blank lines — stays as it is. (goi18n merge, used before,
// rewrote and reordered whole files and dropped comments.)

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// TranslatePrefix starts the name of a file of messages to translate:
// translate.<lang>.toml for active.<lang>.toml, translate.staff.<lang>.toml for
// staff.<lang>.toml.
const TranslatePrefix = "translate."

// TranslateFile returns the name of the translate file for the message file
// prefix<lang>.toml.
func TranslateFile(prefix, lang string) string {
	if prefix == FilePrefix {
		return TranslatePrefix + lang + FileSuffix
	}
	return TranslatePrefix + prefix + lang + FileSuffix
}

// Hash identifies the German text a translation was made from; Merge records it in
// the translation's "hash" field (a field go-i18n knows and ignores), and Pending
// lists a message again when the German text no longer has it.
func Hash(forms map[string]string) string {
	h := sha256.New()
	for _, k := range pluralKeys {
		if v, ok := forms[k]; ok {
			fmt.Fprintf(h, "%s=%s\n", k, v)
		}
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// entry is one message of a file as the workflow sees it.
type entry struct {
	id          string
	description string
	hash        string
	forms       map[string]string
}

// decode reads the messages of a message file, in the order of the file.
func decode(data []byte) ([]entry, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		line, msg := tomlErr(err)
		return nil, fmt.Errorf("line %d: %s", line, msg)
	}
	var out []entry
	for _, b := range blocks(data) {
		v, ok := raw[b.id].(map[string]any)
		if !ok {
			continue
		}
		e := entry{id: b.id, forms: map[string]string{}}
		e.description, _ = v["description"].(string)
		e.hash, _ = v["hash"].(string)
		for _, k := range pluralKeys {
			if s, ok := v[k].(string); ok {
				e.forms[k] = s
			}
		}
		out = append(out, e)
	}
	// A message written as `Id = "text"` has no table of its own.
	for id, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, entry{id: id, forms: map[string]string{"other": s}})
		}
	}
	return out, nil
}

func index(es []entry) map[string]entry {
	m := make(map[string]entry, len(es))
	for _, e := range es {
		m[e.id] = e
	}
	return m
}

// isPlural reports whether a German message has plural forms.
func isPlural(e entry) bool { return len(e.forms) > 1 || e.forms["one"] != "" }

// needs reports why a translation t (nil: none) of the German message src must be
// (re)translated into lang, or "".
func needs(src entry, t *entry, lang string) string {
	switch {
	case t == nil:
		return "missing"
	case t.hash != "" && t.hash != Hash(src.forms):
		return "the German text changed"
	case isPlural(src):
		for _, f := range requiredForms(lang) {
			if strings.TrimSpace(t.forms[f]) == "" {
				return "plural form " + f + " is missing"
			}
		}
	case strings.TrimSpace(t.forms["other"]) == "":
		return "empty"
	}
	return ""
}

// Pending returns the translate file for lang: every message of the German file src
// that the language's file target (nil: none yet) lacks, lacks a plural form of, or
// whose German text changed since it was translated; each with the German text as
// the value to replace, every plural form lang needs, and the description. n is the
// number of messages; with n == 0 there is nothing to write.
func Pending(src, target []byte, lang string) (out []byte, n int, err error) {
	srcs, err := decode(src)
	if err != nil {
		return nil, 0, fmt.Errorf("German file: %w", err)
	}
	have, err := decode(target)
	if err != nil {
		return nil, 0, err
	}
	tm := index(have)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Messages to translate into %q: replace each value (the German text) with the\n", lang)
	b.WriteString("# translation; keep {{.Placeholders}} as they are. Then run `make i18n-merge`.\n")
	b.WriteString("# A message left empty stays here for later.\n")
	for _, s := range srcs {
		var t *entry
		if e, ok := tm[s.id]; ok {
			t = &e
		}
		why := needs(s, t, lang)
		if why == "" {
			continue
		}
		n++
		fmt.Fprintf(&b, "\n# %s", why)
		if t != nil && why == "the German text changed" {
			fmt.Fprintf(&b, "; the translation was: %s", quote(t.forms["other"]))
		}
		fmt.Fprintf(&b, "\n[%s]\n", header(s.id))
		if s.description != "" {
			fmt.Fprintf(&b, "description = %s\n", quote(s.description))
		}
		fmt.Fprintf(&b, "hash = %s\n", quote(Hash(s.forms)))
		forms := []string{"other"}
		if isPlural(s) {
			forms = requiredForms(lang)
		}
		for _, f := range forms {
			v, ok := s.forms[f]
			if !ok {
				v = s.forms["other"]
			}
			fmt.Fprintf(&b, "%s = %s\n", f, quote(v))
		}
	}
	return b.Bytes(), n, nil
}

// MergeResult says what Merge did.
type MergeResult struct {
	// Target is the language's file with the translations in it.
	Target []byte
	// Rest is the translate file with the messages not merged (nil: none left).
	Rest []byte
	// Merged and Kept are the ids merged and left in Rest (an empty value).
	Merged, Kept []string
	// Untranslated are merged ids whose text is still the German one.
	Untranslated []string
}

// Merge puts the messages of the translate file tr into target, the language's
// file: a message target has gets its plural forms and hash replaced where they
// are; a new message goes after the message that precedes it in the German file
// src (or at the end). Every other line stays as it is. A message with an empty
// value is not merged and stays in Rest.
func Merge(src, target, tr []byte) (MergeResult, error) {
	srcs, err := decode(src)
	if err != nil {
		return MergeResult{}, fmt.Errorf("German file: %w", err)
	}
	have, err := decode(target)
	if err != nil {
		return MergeResult{}, err
	}
	trs, err := decode(tr)
	if err != nil {
		return MergeResult{}, fmt.Errorf("translate file: %w", err)
	}
	sm := index(srcs)
	lines := splitLines(target)
	var res MergeResult
	var kept []string
	for _, e := range trs {
		if _, ok := sm[e.id]; !ok {
			return MergeResult{}, fmt.Errorf("message %q is not in the German file", e.id)
		}
		if len(e.forms) == 0 || slices.ContainsFunc(formValues(e), func(v string) bool { return strings.TrimSpace(v) == "" }) {
			kept = append(kept, e.id)
			continue
		}
		if e.hash == "" {
			e.hash = Hash(sm[e.id].forms)
		}
		set := formLines(e)
		if b, ok := findBlock(lines, e.id); ok {
			lines = replaceIn(lines, b, set)
		} else if slices.ContainsFunc(have, func(h entry) bool { return h.id == e.id }) {
			return MergeResult{}, fmt.Errorf("message %q is written as %s = \"…\"; make it a table [%s] to merge into it", e.id, e.id, e.id)
		} else {
			prev, found := precedingBlock(lines, srcs, e.id)
			lines = insertAfter(lines, prev, found, append([]string{"[" + header(e.id) + "]"}, set...))
		}
		res.Merged = append(res.Merged, e.id)
		if sf := sm[e.id].forms; e.forms["other"] == sf["other"] && e.forms["one"] == sf["one"] {
			res.Untranslated = append(res.Untranslated, e.id)
		}
	}
	res.Target = []byte(strings.Join(lines, "\n"))
	res.Kept = kept
	if len(kept) > 0 {
		res.Rest = keepBlocks(tr, kept)
	}
	return res, nil
}

func formValues(e entry) []string {
	out := make([]string, 0, len(e.forms))
	for _, k := range pluralKeys {
		if v, ok := e.forms[k]; ok {
			out = append(out, v)
		}
	}
	return out
}

// formLines are the lines Merge writes for e: its hash, then its forms.
func formLines(e entry) []string {
	out := []string{"hash = " + quote(e.hash)}
	for _, k := range pluralKeys {
		if v, ok := e.forms[k]; ok {
			out = append(out, k+" = "+quote(v))
		}
	}
	return out
}

// block is a message table in a file: its header line and the lines up to the
// next header, without the blank and comment lines just before that header (they
// belong to the next message).
type block struct {
	id         string
	start, end int // line indexes: [start, end)
}

var (
	keyLineRe = regexp.MustCompile(`^\s*(zero|one|two|few|many|other|hash)\s*=\s*(.*)$`)
	anyKeyRe  = regexp.MustCompile(`^\s*[A-Za-z0-9_"'.-]+\s*=\s*(.*)$`)
	bareKeyRe = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// blocks finds the message tables of a file; lines inside multi-line strings are
// skipped.
func blocks(data []byte) []block {
	return blocksOf(splitLines(data))
}

func blocksOf(lines []string) []block {
	var out []block
	last := -1 // index of the last line with content in the current block
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := headerRe.FindStringSubmatch(l); m != nil {
			if len(out) > 0 {
				out[len(out)-1].end = last + 1
			}
			out = append(out, block{id: strings.TrimSpace(m[1]), start: i})
			last = i
			continue
		}
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		i = skipMultiline(lines, i)
		last = i
	}
	if len(out) > 0 {
		out[len(out)-1].end = last + 1
	}
	return out
}

// skipMultiline returns the last line of the key-value pair starting on line i:
// i itself unless its value opens a multi-line string.
func skipMultiline(lines []string, i int) int {
	m := anyKeyRe.FindStringSubmatch(lines[i])
	if m == nil {
		return i
	}
	v := strings.TrimSpace(m[1])
	for _, q := range []string{`"""`, `'''`} {
		if strings.HasPrefix(v, q) && !strings.Contains(v[3:], q) {
			for j := i + 1; j < len(lines); j++ {
				if strings.Contains(lines[j], q) {
					return j
				}
			}
			return len(lines) - 1
		}
	}
	return i
}

func findBlock(lines []string, id string) (block, bool) {
	for _, b := range blocksOf(lines) {
		if b.id == id {
			return b, true
		}
	}
	return block{}, false
}

// replaceIn replaces the plural forms and hash of block b with set, where the
// first of them stood (after the other fields when there were none).
func replaceIn(lines []string, b block, set []string) []string {
	var kept []string
	at := -1
	for i := b.start; i < b.end; i++ {
		if keyLineRe.MatchString(lines[i]) {
			if at < 0 {
				at = len(kept)
			}
			i = skipMultiline(lines, i)
			continue
		}
		kept = append(kept, lines[i])
	}
	if at < 0 {
		at = len(kept)
	}
	body := append(append(append([]string{}, kept[:at]...), set...), kept[at:]...)
	return append(append(append([]string{}, lines[:b.start]...), body...), lines[b.end:]...)
}

// precedingBlock returns the block in lines of the nearest message before id in the
// German order, or false when none is there.
func precedingBlock(lines []string, srcs []entry, id string) (block, bool) {
	i := slices.IndexFunc(srcs, func(e entry) bool { return e.id == id })
	for j := i - 1; j >= 0; j-- {
		if b, ok := findBlock(lines, srcs[j].id); ok {
			return b, true
		}
	}
	return block{}, false
}

// insertAfter inserts a new message (with a blank line before it) after block b,
// or at the end of the file when there is none.
func insertAfter(lines []string, b block, ok bool, msg []string) []string {
	at := len(lines)
	if ok {
		at = b.end
	} else {
		for at > 0 && strings.TrimSpace(lines[at-1]) == "" {
			at--
		}
	}
	add := append([]string{""}, msg...)
	if at == 0 {
		add = msg
	}
	return append(append(append([]string{}, lines[:at]...), add...), lines[at:]...)
}

// keepBlocks returns the translate file tr with only the messages ids (and its
// leading comment).
func keepBlocks(tr []byte, ids []string) []byte {
	lines := splitLines(tr)
	bs := blocksOf(lines)
	var out []string
	if len(bs) > 0 {
		out = append(out, lines[:bs[0].start]...)
	}
	for k, b := range bs {
		if !slices.Contains(ids, b.id) {
			continue
		}
		// the comment lines just before the header belong to the message
		from, lo := b.start, b.start
		if k > 0 {
			lo = bs[k-1].end
		}
		for from > lo && strings.HasPrefix(strings.TrimSpace(lines[from-1]), "#") {
			from--
		}
		out = append(out, "")
		out = append(out, lines[from:b.end]...)
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// splitLines splits data into lines; a final newline gives a last empty line, so
// that joining with "\n" gives data back.
func splitLines(data []byte) []string {
	return strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
}

// header writes a message id as a table name: bare when it can be, else quoted.
func header(id string) string {
	if bareKeyRe.MatchString(id) {
		return id
	}
	return quote(id)
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
