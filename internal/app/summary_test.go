package app

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/summary"
	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

const staffChat = -1001234

// TestServeSendsWeeklySummaryOnce runs ankommen serve with a staff chat: it sends
// the summary of last week, from the data in its database, to the staff chat
// through the fake Bot API, in German; a restart in the same week sends nothing
// more.
func TestServeSendsWeeklySummaryOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole server")
	}
	api := tt.New(t)
	data := t.TempDir()
	env := map[string]string{"TELEGRAM_BOT_TOKEN": tt.Token, "TELEGRAM_API_URL": api.URL, "ANKOMMEN_DATA": data,
		"ANKOMMEN_CONTENT": "../conversation/testdata/content", "ANKOMMEN_STAFF_CHAT_ID": "-1001234"}
	last := summary.WeekOf(time.Now().Add(-summary.SendAfter)).Prev()
	mid := last.From.AddDate(0, 0, 2).Add(10 * time.Hour)
	fill := func(s *Server) {
		ctx := context.Background()
		for kind, n := range map[assistant.Kind]int{assistant.KindAnswer: 4, assistant.KindNotSure: 4, assistant.KindEmergency: 3} {
			for range n {
				if err := s.DB.CountAnswer(ctx, mid, "uk", kind); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.DB.RecordUnanswered(ctx, assistant.Unanswered{Text: "Де зареєструвати авто?", Lang: "uk", At: mid}); err != nil {
			t.Fatal(err)
		}
		h, _, err := s.DB.OpenHandoff(ctx, handoff.Opening{ChatID: 77, Lang: "uk", At: mid})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB.AddStaffReply(ctx, h.ID, 0, "anna", "Привіт", mid.Add(40*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	toStaff := func() []tt.Request {
		var out []tt.Request
		for _, r := range api.Sent("sendMessage") {
			if r.Int("chat_id") == staffChat {
				out = append(out, r)
			}
		}
		return out
	}
	s, stop := startServer(t, env, fill)
	api.WaitFor(t, 20*time.Second, "the weekly summary", func(*tt.Server) bool { return len(toStaff()) == 1 })
	y, n := last.Number()
	text := toStaff()[0].Params["text"]
	for _, w := range []string{"<b>Wochenübersicht</b>", "Kalenderwoche " + strconv.Itoa(n) + "/" + strconv.Itoa(y), "Fragen: 11 · beantwortet: 50 %",
		"Ukrainisch 50 % (4/8)", "1. „Де зареєструвати авто?“ – 1 (uk 1)", "Notfälle: 3", "Anfragen an das Team: 1, davon mit Antwort: 1",
		"Zeit bis zur ersten Antwort (Median): 40 min"} {
		if !strings.Contains(text, w) {
			t.Errorf("summary lacks %q:\n%s", w, text)
		}
	}
	// Recorded only after Telegram accepted it.
	api.WaitFor(t, 10*time.Second, "the week recorded", func(*tt.Server) bool {
		k, err := s.DB.SummaryWeek(context.Background())
		return err == nil && k == last.Key()
	})
	stop()

	startServer(t, env, nil)
	time.Sleep(time.Second)
	if got := len(toStaff()); got != 1 {
		t.Errorf("%d summaries after a restart in the same week, want 1", got)
	}
}
