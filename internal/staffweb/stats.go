package staffweb

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/oldenburg/ankommen/internal/handoff"
)

// statsDays is the default period: the last 30 days, today included.
const statsDays = 30

// maxStatsDays bounds a period (a chart of ten years of days helps nobody).
const maxStatsDays = 366

// topFrequent is how many frequent unanswered questions the page lists.
const topFrequent = 20

// period reads from and to (inclusive dates) from the query; ok is false when they
// are malformed or out of order, and then the default period is used.
func period(r *http.Request, now time.Time) (from, to time.Time, fromS, toS string, ok bool) {
	today := time.Date(now.In(handoff.Zone).Year(), now.In(handoff.Zone).Month(), now.In(handoff.Zone).Day(), 0, 0, 0, 0, handoff.Zone)
	to = today.AddDate(0, 0, 1)
	from = to.AddDate(0, 0, -statsDays)
	ok = true
	q := r.URL.Query()
	if s := q.Get("from"); s != "" {
		d, err := time.ParseInLocation(time.DateOnly, s, handoff.Zone)
		if err != nil {
			ok = false
		} else {
			from = d
		}
	}
	if s := q.Get("to"); s != "" {
		d, err := time.ParseInLocation(time.DateOnly, s, handoff.Zone)
		if err != nil {
			ok = false
		} else {
			to = d.AddDate(0, 0, 1)
		}
	}
	if !from.Before(to) || to.Sub(from) > maxStatsDays*24*time.Hour+time.Hour {
		ok = false
	}
	if !ok {
		to = today.AddDate(0, 0, 1)
		from = to.AddDate(0, 0, -statsDays)
	}
	return from, to, from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly), ok
}

type statsData struct {
	S          handoff.Stats
	From, To   string
	Total      int
	Answered   int
	NotSure    int
	Share      float64
	DayChart   chart
	LangChart  chart
	HasAnswers bool
}

// stats shows the statistics of a period with charts and tables.
func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	from, to, fromS, toS, ok := period(r, h.opt.Now())
	s, err := h.opt.Store.Stats(r.Context(), from, to, topFrequent)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	d := statsData{S: s, From: fromS, To: toS}
	for _, day := range s.Days {
		d.Total += day.Total()
		d.Answered += day.Answered
		d.NotSure += day.NotSure
	}
	d.HasAnswers = d.Total > 0
	d.Share = handoff.Share(d.Answered, d.NotSure)
	lang := uiLang(r)
	loc := h.opt.Answering().Locale
	t := func(id string) string { return loc.T(lang, id, nil) }
	d.DayChart = dayChart(s.Days, lang, t)
	d.LangChart = langChart(s.Langs, func(code string) string { return loc.T(lang, "LangName_"+code, nil) }, t)
	pd := pageData{Title: "StaffStatsTitle", Nav: "stats", Data: d}
	status := http.StatusOK
	if !ok {
		status, pd.Error = http.StatusBadRequest, "StaffFilterInvalid"
	}
	h.render(w, r, status, "stats.html", pd)
}

// statsCSV exports one table of the statistics as CSV.
func (h *Handler) statsCSV(w http.ResponseWriter, r *http.Request) {
	from, to, fromS, toS, _ := period(r, h.opt.Now())
	s, err := h.opt.Store.Stats(r.Context(), from, to, 1000)
	if err != nil {
		h.failErr(w, r, err)
		return
	}
	table := r.URL.Query().Get("table")
	var rows [][]string
	switch table {
	case "days":
		rows = append(rows, []string{"day", "answered", "not_sure", "other", "share_answered"})
		for _, d := range s.Days {
			rows = append(rows, []string{d.Day, itoaInt(d.Answered), itoaInt(d.NotSure), itoaInt(d.Other), share(d.Answered, d.NotSure)})
		}
	case "languages":
		rows = append(rows, []string{"lang", "answered", "not_sure", "other", "share_answered"})
		for _, l := range s.Langs {
			rows = append(rows, []string{l.Lang, itoaInt(l.Answered), itoaInt(l.NotSure), itoaInt(l.Other), share(l.Answered, l.NotSure)})
		}
	case "votes":
		rows = append(rows, []string{"topic", "helpful", "not_helpful"})
		for _, v := range s.Votes {
			rows = append(rows, []string{v.TopicID, itoaInt(v.Helpful), itoaInt(v.Useless)})
		}
	case "questions":
		rows = append(rows, []string{"question", "lang", "count", "last_asked"})
		for _, f := range s.Frequent {
			rows = append(rows, []string{f.Text, f.Lang, itoaInt(f.Count), f.Last.In(handoff.Zone).Format(time.RFC3339)})
		}
	default:
		h.fail(w, r, http.StatusNotFound, "StaffErrorNotFound")
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ankommen-%s-%s-%s.csv"`, table, fromS, toS))
	var b strings.Builder
	for _, row := range rows {
		writeCSVRow(&b, row)
	}
	_, _ = io.WriteString(w, b.String())
}

// writeCSVRow writes one row, comma-separated. A cell is quoted when it holds a
// comma, a semicolon, a quote, a tab, a line break or leading or trailing space:
// German spreadsheet programs split on ";", and a cell quoted for both stays one
// cell in either convention.
func writeCSVRow(b *strings.Builder, row []string) {
	for i, cell := range row {
		if i > 0 {
			b.WriteByte(',')
		}
		cell = csvCell(cell)
		if cell != strings.TrimSpace(cell) || strings.ContainsAny(cell, ",;\"\t\r\n") {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(cell, `"`, `""`))
			b.WriteByte('"')
		} else {
			b.WriteString(cell)
		}
	}
	b.WriteByte('\n')
}

// csvCell keeps a spreadsheet from reading a cell as a formula: questions are what
// anyone typed, and "=HYPERLINK(…)" must stay text. A formula character (= + - @,
// or a tab or carriage return) is defused with a ' before it where it begins the
// cell and where it begins a piece after a separator or line break, in case a
// program splits the cell there (quotes ignored, as some importers do); spaces and
// quotes in front of it do not hide it.
func csvCell(s string) string {
	var b strings.Builder
	start := true // at the beginning of the cell or of a piece after a separator
	for _, r := range s {
		switch {
		case start && (r == ' ' || r == '"' || r == '\u00a0'):
			// still at the beginning
		case start && strings.ContainsRune("=+-@\t\r", r):
			b.WriteByte('\'')
			start = r == '\t' || r == '\r'
		default:
			start = strings.ContainsRune(",;\t\r\n|", r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func itoaInt(n int) string { return strconv.Itoa(n) }

func share(a, b int) string { return strconv.FormatFloat(handoff.Share(a, b), 'f', 3, 64) }

// chart is a server-rendered SVG bar chart.
type chart struct {
	W, H   int
	Bars   []bar
	Labels []label
	Grid   []gridLine
	Legend []legend
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string // shown as the bar's tooltip and read by screen readers
}

type label struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle, end
}

type gridLine struct{ X1, Y1, X2, Y2 float64 }

type legend struct {
	Class, Text string
}

func legends(t func(string) string) []legend {
	return []legend{{"answered", t("StaffStatsAnswered")}, {"notsure", t("StaffStatsNotSure")}, {"other", t("StaffStatsOther")}}
}

// dayChart stacks answered, not sure and other per day.
func dayChart(days []handoff.DayCount, lang string, t func(string) string) chart {
	const w, hgt, left, bottom, top = 720.0, 240.0, 44.0, 34.0, 10.0
	c := chart{W: int(w), H: int(hgt), Legend: legends(t)}
	if len(days) == 0 {
		return c
	}
	most := 1
	for _, d := range days {
		most = max(most, d.Total())
	}
	plotH := hgt - bottom - top
	slot := (w - left - 8) / float64(len(days))
	bw := max(1, slot*0.75)
	for _, frac := range []float64{0, 0.5, 1} {
		y := top + plotH*(1-frac)
		c.Grid = append(c.Grid, gridLine{left, y, w - 4, y})
		c.Labels = append(c.Labels, label{left - 6, y + 4, strconv.Itoa(int(float64(most)*frac + 0.5)), "end"})
	}
	every := max(1, len(days)/8)
	for i, d := range days {
		x := left + float64(i)*slot + (slot-bw)/2
		y := top + plotH
		for _, part := range []struct {
			n     int
			class string
			what  string
		}{{d.Answered, "answered", t("StaffStatsAnswered")}, {d.NotSure, "notsure", t("StaffStatsNotSure")}, {d.Other, "other", t("StaffStatsOther")}} {
			if part.n == 0 {
				continue
			}
			bh := plotH * float64(part.n) / float64(most)
			y -= bh
			c.Bars = append(c.Bars, bar{x, y, bw, bh, part.class, fmt.Sprintf("%s: %d %s", dayLabel(d.Day, lang), part.n, part.what)})
		}
		if i%every == 0 {
			c.Labels = append(c.Labels, label{x + bw/2, hgt - bottom + 16, shortDay(d.Day, lang), "middle"})
		}
	}
	return c
}

// langChart shows a horizontal stacked bar per language.
func langChart(langs []handoff.LangCount, name func(string) string, t func(string) string) chart {
	const w, left, row = 720.0, 110.0, 26.0
	c := chart{W: int(w), H: int(row*float64(max(1, len(langs))) + 10), Legend: legends(t)}
	most := 1
	for _, l := range langs {
		most = max(most, l.Answered+l.NotSure+l.Other)
	}
	plotW := w - left - 60
	for i, l := range langs {
		y := 5 + float64(i)*row
		c.Labels = append(c.Labels, label{left - 8, y + row/2 + 4, name(l.Lang), "end"})
		x := left
		for _, part := range []struct {
			n     int
			class string
			what  string
		}{{l.Answered, "answered", t("StaffStatsAnswered")}, {l.NotSure, "notsure", t("StaffStatsNotSure")}, {l.Other, "other", t("StaffStatsOther")}} {
			if part.n == 0 {
				continue
			}
			bw := plotW * float64(part.n) / float64(most)
			c.Bars = append(c.Bars, bar{x, y + 3, bw, row - 8, part.class, fmt.Sprintf("%s: %d %s", name(l.Lang), part.n, part.what)})
			x += bw
		}
		c.Labels = append(c.Labels, label{x + 6, y + row/2 + 4, strconv.Itoa(l.Answered + l.NotSure + l.Other), "start"})
	}
	return c
}

func dayLabel(day, lang string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "de" {
		return d.Format("02.01.2006")
	}
	return day
}

func shortDay(day, lang string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "de" {
		return d.Format("02.01.")
	}
	return d.Format("01-02")
}
