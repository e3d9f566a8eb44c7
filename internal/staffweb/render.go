package staffweb

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
)

// pageData is what every page template gets.
type pageData struct {
	Lang  string // the interface language
	Title string // message id of the page title
	Nav   string // the active navigation entry: inbox, try, stats, review, groups, demand
	Staff string // the logged-in staff member; "" on the login page
	CSRF  string // the token forms carry
	Here  string // the page's path and query, for the language switch
	Error string // message id of an error to show
	Flash string // message id of a confirmation to show
	Langs []string
	Data  any
}

// parse reads the page templates; each page is layout.html with its own file.
func (h *Handler) parse() error {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, p := range pages {
		name := path.Base(p)
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(baseFuncs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return fmt.Errorf("staffweb: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return nil
}

// baseFuncs are the template functions; those that depend on the request's
// language are replaced per request (see render).
var baseFuncs = template.FuncMap{
	"t":        func(id string, args ...any) string { return id },
	"langName": func(code string) string { return code },
	"when":     func(t time.Time) string { return "" },
	"day":      func(t time.Time) string { return "" },
	"score":    func(f float64) string { return fmt.Sprintf("%.3f", f) },
	"pct":      func(f float64) string { return fmt.Sprintf("%.0f %%", 100*f) },
	"cut":      cut,
	"rtl":      func(lang string) bool { return lang == "ar" || lang == "fa" },
	"add":      func(a, b int) int { return a + b },
	"topicTitle": func(id string) string {
		return id
	},
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"shareOf": handoff.Share,
}

// cut shortens s to n characters with an ellipsis.
func cut(n int, s string) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// render executes page for the request: the template is cloned and given the
// request's language, so that one request's language never leaks into another.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	base := h.pages[page]
	if base == nil {
		h.log.Error("staff: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	t, err := base.Clone()
	if err != nil {
		h.log.Error("staff: clone template", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	lang := uiLang(r)
	core := h.opt.Answering()
	loc := core.Locale
	t.Funcs(template.FuncMap{
		"t": func(id string, args ...any) string {
			data := map[string]any{}
			for i := 0; i+1 < len(args); i += 2 {
				data[fmt.Sprint(args[i])] = args[i+1]
			}
			return loc.T(lang, id, data)
		},
		"langName": func(code string) string {
			if !content.IsLanguage(code) {
				return code
			}
			return loc.T(lang, "LangName_"+code, nil)
		},
		"when": func(t time.Time) string { return formatTime(lang, t) },
		"day":  func(t time.Time) string { return formatDay(lang, t) },
		"topicTitle": func(id string) string {
			if tp := core.Corpus.Topic(id); tp != nil {
				tr, _ := tp.Best(lang)
				return tr.Title
			}
			return id
		},
	})
	d.Lang = lang
	d.Langs = content.Languages
	if s := session(r); s.StaffID != 0 {
		d.Staff, d.CSRF = s.Name, s.CSRF
	}
	d.Here = r.URL.RequestURI()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		h.log.Error("staff: render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// formatTime shows a time in the city's zone, as people of lang write it.
func formatTime(lang string, t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	if lang == "de" {
		return t.In(handoff.Zone).Format("02.01.2006, 15:04")
	}
	return t.In(handoff.Zone).Format("2006-01-02 15:04")
}

func formatDay(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if lang == "de" {
		return t.In(handoff.Zone).Format("02.01.2006")
	}
	return t.In(handoff.Zone).Format("2006-01-02")
}

// trimmed is s without surrounding white space.
func trimmed(s string) string { return strings.TrimSpace(s) }
