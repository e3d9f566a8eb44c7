package summary

import (
	"fmt"
	"html"
	"maps"
	"slices"
	"strings"
	"time"
)

// Localize returns the staff message id with data in the staff's language.
type Localize func(id string, data map[string]any) string

// Duration writes d as hours and minutes ("2 h 05 min"), or minutes below an hour.
func Duration(d time.Duration) string {
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

// Heading is the week's title line: its ISO number and its first and last day.
func Heading(w Week, t Localize) string {
	y, n := w.Number()
	return t("StaffSummaryHeading", map[string]any{"Week": n, "Year": y,
		"From": w.From.Format("02.01.2006"), "To": w.To.AddDate(0, 0, -1).Format("02.01.2006")})
}

// LangCounts writes the questions of a group per language, most first ("de 3, ar 2").
func LangCounts(langs map[string]int) string {
	keys := slices.Collect(maps.Keys(langs))
	slices.SortFunc(keys, func(a, b string) int {
		if langs[a] != langs[b] {
			return langs[b] - langs[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, langs[k]))
	}
	return strings.Join(parts, ", ")
}

// maxLabel is how much of a question the message shows.
const maxLabel = 120

// Text is the summary as a Telegram message (HTML) for the staff chat, in the
// language of t; langName names a language code. Question texts are escaped.
func Text(s Summary, t Localize, langName func(string) string) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<b>%s</b>\n%s\n\n", esc(t("StaffSummaryTitle", nil)), esc(Heading(s.Week, t)))
	fmt.Fprintf(&b, "%s: %d · %s: %.0f %%\n", esc(t("StaffSummaryQuestions", nil)), s.Questions, esc(t("StaffSummaryShare", nil)), 100*s.Share)
	if len(s.Langs) > 0 {
		var parts []string
		for _, l := range s.Langs {
			parts = append(parts, fmt.Sprintf("%s %.0f %% (%d/%d)", esc(langName(l.Lang)), 100*l.Share, l.Answered, l.Answered+l.NotSure))
		}
		fmt.Fprintf(&b, "%s: %s\n", esc(t("StaffSummaryByLang", nil)), strings.Join(parts, " · "))
	}
	title := "StaffSummaryFrequent"
	if s.Grouped {
		title = "StaffSummaryGroups"
	}
	fmt.Fprintf(&b, "\n<b>%s</b>\n", esc(t(title, nil)))
	if len(s.Groups) == 0 {
		b.WriteString(esc(t("StaffSummaryNone", nil)) + "\n")
	}
	for i, g := range s.Groups {
		label := g.Label
		if r := []rune(label); len(r) > maxLabel {
			label = string(r[:maxLabel]) + "…"
		}
		fmt.Fprintf(&b, "%d. „%s“ – %d (%s)\n", i+1, esc(label), g.Count, esc(LangCounts(g.Langs)))
	}
	fmt.Fprintf(&b, "\n%s: %d\n", esc(t("StaffSummaryEmergencies", nil)), s.Emergencies)
	fmt.Fprintf(&b, "%s: %d, %s: %d\n", esc(t("StaffSummaryHandoffs", nil)), s.Handoffs, esc(t("StaffSummaryReplied", nil)), s.Replied)
	median := t("StaffSummaryNone", nil)
	if s.Replied > 0 {
		median = Duration(s.MedianReply)
	}
	fmt.Fprintf(&b, "%s: %s", esc(t("StaffSummaryMedian", nil)), esc(median))
	return b.String()
}
