package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/backlog"
	"github.com/oldenburg/ankommen/internal/chat"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/staff"
	"github.com/oldenburg/ankommen/internal/store"
)

// Fill writes data into every table of store.Schema through the store's methods,
// as the bot and the staff page would: chats, inbox entries pending and handled,
// votes, questions, handoffs with threads, learned phrasings, counts, an account
// with a session, login attempts.
func Fill(t testing.TB, s store.Store) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2026, 2, 10, 9, 30, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetLang(ctx, 1, "uk"))
	must(s.SetActive(ctx, 2, false))
	_, err := s.Append(ctx, []chat.Update{
		{ID: 10, ChatID: 1, Payload: []byte(`{"update_id":10,"message":{"text":"привіт"}}`), Received: at},
		{ID: 11, ChatID: 3, Payload: []byte(`{"update_id":11}`), Received: at},
		{ID: 12, ChatID: 4, Received: at},
	}, 13)
	must(err)
	must(s.Done(ctx, []int64{10}, at.Add(time.Second)))
	must(s.Sent(ctx, 11, 0))
	must(s.Vote(ctx, chat.Vote{ChatID: 1, TopicID: "work", Lang: "uk", Helpful: true, At: at}))
	must(s.Vote(ctx, chat.Vote{ChatID: 3, TopicID: "housing", Lang: "de", Helpful: false, At: at}))
	for i, q := range []string{"Wo ist das Bürgeramt?", "كيف أجد شقة", "Termin beim Jobcenter"} {
		must(s.RecordUnanswered(ctx, assistant.Unanswered{Text: q, Lang: []string{"de", "ar", "de"}[i], At: at.Add(time.Duration(i) * time.Minute),
			Ref: []string{"fillref000000001", "", "fillref000000003"}[i], Candidates: []assistant.Hit{{TopicID: "work", Score: 0.3}}}))
	}
	h, _, err := s.OpenHandoff(ctx, handoff.Opening{ChatID: 1, Lang: "uk", Ref: "fillref000000001", At: at})
	must(err)
	m, err := s.AddUserMessage(ctx, h.ID, 501, "ще питання", at.Add(time.Minute))
	must(err)
	r, err := s.AddStaffReply(ctx, h.ID, m.ID, "anna", "Pferdemarkt 14", at.Add(2*time.Minute))
	must(err)
	must(s.SetDelivery(ctx, r.ID, handoff.DeliverySent, at.Add(3*time.Minute)))
	_, err = s.CloseHandoff(ctx, h.ID, handoff.StatusClosed, "anna", at.Add(4*time.Minute))
	must(err)
	_, _, err = s.OpenHandoff(ctx, handoff.Opening{ChatID: 4, Lang: "de", At: at})
	must(err)
	must(s.SetQuestionStatus(ctx, 3, handoff.StatusLearned, "work", "anna", at))
	must(s.Learn(ctx, handoff.Learned{TopicID: "work", Lang: "de", Text: "Termin beim Jobcenter", By: "anna", At: at}))
	must(s.Learn(ctx, handoff.Learned{TopicID: "housing", Lang: "ar", Text: "كيف أجد شقة", By: "anna", At: at}))
	ls, err := s.LearnedPhrasings(ctx)
	must(err)
	must(s.MarkExported(ctx, []int64{ls[0].ID}, at))
	must(s.CountAnswer(ctx, at, "de", assistant.KindAnswer))
	must(s.CountAnswer(ctx, at, "de", assistant.KindAnswer))
	must(s.CountTopic(ctx, at, "uk", "work"))
	acc, err := s.AddStaff(ctx, "Anna", []byte("$2a$04$not-a-real-hash-but-bytes"), at)
	must(err)
	must(s.CreateSession(ctx, staff.Session{TokenHash: staff.TokenHash("tok"), StaffID: acc.ID, CSRF: "csrf", CreatedAt: at, ExpiresAt: at.Add(time.Hour)}))
	ok, err := s.ReserveAttempt(ctx, []string{"addr:192.0.2.1", "pair:192.0.2.1/5d1b6f"}, 5, at.Add(-time.Hour), at)
	must(err)
	if !ok {
		t.Fatal("the first login attempt was refused")
	}
	must(s.CountAttempt(ctx, "name:anna", at))
	// A need (package backlog) with the first question put to it.
	_, err = s.AddNeed(ctx, backlog.Need{Title: "Kfz-Zulassung", Asked: 2, Langs: []backlog.LangCount{{Lang: "de", N: 2}}, CreatedAt: at, CreatedBy: "anna"}, []int64{1})
	must(err)
	// An asker waiting to be told of an answer (package notify).
	_, err = s.Subscribe(ctx, "fillref000000003", 3, "de", at)
	must(err)
}

// Dump returns every row of every table of store.Schema, by table and key.
func Dump(t testing.TB, db store.Tables) map[string]map[string][]any {
	t.Helper()
	out := map[string]map[string][]any{}
	for _, tb := range store.Schema {
		rows := map[string][]any{}
		if err := db.ReadTable(context.Background(), tb, func(row []any) error {
			rows[tb.KeyOf(row)] = row
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = rows
	}
	return out
}
