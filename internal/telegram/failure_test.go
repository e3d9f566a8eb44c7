package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tt "github.com/oldenburg/ankommen/internal/telegram/telegramtest"
)

var (
	anna  = tt.User{ID: 101, Lang: "en", Name: "Anna"}
	bernd = tt.User{ID: 102, Lang: "de-DE", Name: "Bernd"}
	chen  = tt.User{ID: 103, Lang: "zh-hans", Name: "Chen"}
	dana  = tt.User{ID: 104, Name: "Dana"}
)

func TestTooManyRequestsWaitsRetryAfter(t *testing.T) {
	t.Parallel()
	for _, m := range []mode{polling, webhook} {
		t.Run(string(m), func(t *testing.T) {
			h := newHarness(t, m)
			h.api.FailNext("sendMessage", 1, tt.TooMany(3))
			h.deliver(tt.Text(anna, "hi"))
			h.waitTo(anna.ID, 1)
			calls := h.api.Requests("sendMessage")
			if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
				t.Fatalf("calls: %s", h.api.Summary())
			}
			if gap, want := calls[1].At.Sub(calls[0].At), 3*testLimits.RetryAfterUnit; gap < want {
				t.Errorf("retried after %v, want at least retry_after = %v", gap, want)
			}
			if calls[0].Params["text"] != calls[1].Params["text"] {
				t.Error("the retry sent something else")
			}
			h.waitIdle()
			if n := metricSum(t, h, "ankommen_telegram_api_errors_total", map[string]string{"method": "sendMessage", "kind": "too_many_requests"}); n != 1 {
				t.Errorf("api errors too_many_requests = %v, want 1", n)
			}
		})
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.api.FailNext("sendMessage", 2, tt.ServerError(502))
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 1)
	calls := h.api.Requests("sendMessage")
	if len(calls) != 3 || calls[0].Status != 502 || calls[1].Status != 502 || calls[2].Status != 200 {
		t.Fatalf("calls: %s", h.api.Summary())
	}
	h.waitIdle()
	if n := metricSum(t, h, "ankommen_telegram_api_errors_total", map[string]string{"kind": "server"}); n != 2 {
		t.Errorf("server errors = %v, want 2", n)
	}

	// A call that keeps failing waits, with its update pending, until the retry
	// limit has passed since the update arrived; then it is given up, counted and
	// logged, and the update is done.
	h.api.FailNext("sendMessage", 100_000, tt.ServerError(500))
	h.deliver(tt.Text(bernd, "hallo"))
	h.api.WaitFor(t, 10*time.Second, "many attempts", func(s *tt.Server) bool { return len(s.Requests("sendMessage")) >= 3+20 })
	given := func() float64 {
		return metricSum(t, h, "ankommen_telegram_calls_given_up_total", map[string]string{"method": "sendMessage"})
	}
	if n := given(); n != 0 {
		t.Fatalf("given up after %d attempts within the limit", len(h.api.Requests("sendMessage")))
	}
	if p, _ := h.db.Pending(context.Background()); len(p) != 1 {
		t.Errorf("%d updates pending while the reply waits, want 1", len(p))
	}
	h.clock.Advance(24*time.Hour + time.Second)
	h.waitIdle()
	if n := given(); n != 1 {
		t.Errorf("given up %v times, want 1", n)
	}
	if !strings.Contains(h.logs.String(), "telegram call given up") {
		t.Error("giving up is not logged")
	}
	if p, _ := h.db.Pending(context.Background()); len(p) != 0 {
		t.Errorf("%d updates pending after giving up", len(p))
	}
}

// TestReplyWaitsWhileTelegramIsDown: Telegram answers 5xx and 429 for a while —
// far more attempts than a fixed cap would allow — then recovers: the reply
// arrives, once, and nothing is given up.
func TestReplyWaitsWhileTelegramIsDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.api.FailNext("sendMessage", 15, tt.ServerError(502))
	h.api.FailNext("sendMessage", 5, tt.TooMany(1))
	h.api.FailNext("sendMessage", 10, tt.ServerError(503))
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 1)
	h.waitIdle()
	calls := h.api.Requests("sendMessage")
	if len(calls) != 31 || calls[30].Status != 200 {
		t.Fatalf("%d calls: %s", len(calls), h.api.Summary())
	}
	if n := len(h.sentTo(anna.ID)); n != 1 {
		t.Errorf("%d replies accepted, want 1", n)
	}
	if n := metricSum(t, h, "ankommen_telegram_calls_given_up_total", nil); n != 0 {
		t.Errorf("given up: %v", n)
	}
}

// TestRestartSendsOnlyWhatWasNotAccepted: an update whose first replies Telegram
// accepted before the process stopped is handled again after the restart, and only
// the replies not accepted yet are sent.
func TestRestartSendsOnlyWhatWasNotAccepted(t *testing.T) {
	t.Parallel()
	var accepted atomic.Int32
	var hang atomic.Bool
	hang.Store(true)
	h := newHarness(t, polling, func(o *Options) { o.DrainTimeout = 200 * time.Millisecond })
	h.api.Script("sendMessage", func(r tt.Request) *tt.Response {
		// The guide takes two messages: the first goes through, the second hangs.
		if hang.Load() && r.Int("chat_id") == anna.ID && accepted.Add(1) > 1 {
			return &tt.Response{Hang: true, Status: 200, Body: map[string]any{"ok": true, "result": map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": anna.ID, "type": "private"}}}}
		}
		return nil
	})
	h.deliver(tt.Text(anna, "the guide, please"))
	h.api.WaitFor(t, 10*time.Second, "the second piece", func(*tt.Server) bool { return accepted.Load() >= 2 })
	h.stop()
	first := h.sentTo(anna.ID)
	if len(first) != 1 {
		t.Fatalf("%d pieces accepted before the stop, want 1: %s", len(first), h.api.Summary())
	}
	pending, err := h.db.Pending(context.Background())
	if err != nil || len(pending) != 1 || !slices.Equal(pending[0].Sent, []int{0}) {
		t.Fatalf("pending after the stop: %+v, %v", pending, err)
	}
	h.api.WaitFor(t, 5*time.Second, "the old poll to end", func(s *tt.Server) bool { return s.Polling() == 0 })
	hang.Store(false)
	h.start()
	h.waitIdle()
	all := h.sentTo(anna.ID)
	texts := map[string]int{}
	for _, r := range all {
		texts[r.Params["text"]]++
	}
	for text, n := range texts {
		if n > 1 {
			t.Errorf("sent %d times: %.60q", n, text)
		}
	}
	if len(all) != 2 || len(texts) != 2 {
		t.Errorf("%d pieces in all (%d different), want the two of the guide: %s", len(all), len(texts), h.api.Summary())
	}
	if n := metricSum(t, h, "ankommen_telegram_calls_total", map[string]string{"result": "sent_before"}); n != 1 {
		t.Errorf("calls skipped as sent before: %v, want 1", n)
	}
}

func TestPollingSurvivesGetUpdatesFailures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	// The poll in progress is past the script; the next two fail.
	h.api.FailNext("getUpdates", 1, tt.ServerError(502))
	h.api.FailNext("getUpdates", 1, tt.TooMany(1))
	h.deliver(tt.Text(anna, "hi"))
	h.waitTo(anna.ID, 1)
	h.api.WaitFor(t, 5*time.Second, "two failed polls", func(*tt.Server) bool {
		return metricSum(t, h, "ankommen_telegram_api_errors_total", map[string]string{"method": "getUpdates"}) == 2
	})
	h.deliver(tt.Text(bernd, "hallo"))
	h.waitTo(bernd.ID, 1)
	polls := h.api.Requests("getUpdates")
	var codes []int
	for _, p := range polls {
		codes = append(codes, p.Status)
	}
	if !slices.Contains(codes, 502) || !slices.Contains(codes, 429) {
		t.Errorf("getUpdates answers: %v", codes)
	}
}

// TestForbiddenStopsSendingToTheChat: after a 403 the handler is told that the
// chat blocked the bot, and the rest of the reply is dropped.
func TestForbiddenStopsSendingToTheChat(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.api.FailNext("sendMessage", 1, tt.Forbidden())
	// The guide needs two messages: after the 403 the second is dropped.
	h.deliver(tt.Text(anna, "the guide, please"))
	h.api.WaitFor(t, 10*time.Second, "403", func(s *tt.Server) bool { return len(s.Requests("sendMessage")) >= 1 })
	h.waitIdle()
	if n := len(h.api.Requests("sendMessage")); n != 1 {
		t.Errorf("%d sendMessage calls after the 403, want 1: %s", n, h.api.Summary())
	}
	if got := h.echo.blockedChats(); !slices.Equal(got, []int64{anna.ID}) {
		t.Errorf("handler told of blocked chats %v, want [%d]", got, anna.ID)
	}
}

// TestRestartLosesNothingAndAnswersOnce stops the channel while a reply hangs and
// updates wait, then starts a new one on the same database: every update is answered
// exactly once.
func TestRestartLosesNothingAndAnswersOnce(t *testing.T) {
	t.Parallel()
	var hang atomic.Bool
	hang.Store(true)
	h := newHarness(t, polling, func(o *Options) { o.DrainTimeout = 200 * time.Millisecond; o.Workers = 2 })
	h.api.Script("sendMessage", func(r tt.Request) *tt.Response {
		if hang.Load() && r.Int("chat_id") == anna.ID {
			return &tt.Response{Hang: true, Status: 200, Body: map[string]any{"ok": true, "result": map[string]any{"message_id": 1, "date": 1, "chat": map[string]any{"id": anna.ID, "type": "private"}}}}
		}
		return nil
	})
	users := []tt.User{anna, bernd, chen, dana}
	var first []byte
	for i := 0; i < 3; i++ {
		for _, u := range users {
			data := h.api.AddUpdate(tt.Text(u, "hi"))
			if first == nil && u.ID == bernd.ID {
				first = data
			}
		}
	}
	// Bernd's, Chen's and Dana's replies go through; Anna's first one hangs.
	for _, u := range users[1:] {
		h.waitTo(u.ID, 3)
	}
	h.stop()
	pending, err := h.db.Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 3 {
		t.Fatalf("%d updates pending after the stop, want Anna's 3", len(pending))
	}
	for _, p := range pending {
		if p.ChatID != anna.ID {
			t.Errorf("pending update of chat %d", p.ChatID)
		}
	}

	// Telegram delivers an answered update again: it is recognised.
	h.api.WaitFor(t, 5*time.Second, "the old poll to end", func(s *tt.Server) bool { return s.Polling() == 0 })
	h.api.Redeliver(first)
	hang.Store(false)
	h.start()
	h.waitTo(anna.ID, 3)
	h.waitIdle()
	for _, u := range users {
		if n := len(h.sentTo(u.ID)); n != 3 {
			t.Errorf("chat %d got %d answers, want 3", u.ID, n)
		}
	}
	if n := metricSum(t, h, "ankommen_updates_ignored_total", map[string]string{"reason": "duplicate"}); n != 1 {
		t.Errorf("duplicates ignored = %v, want 1", n)
	}
	off, _ := h.db.Offset(context.Background())
	if off <= 1011 {
		t.Errorf("stored offset %d", off)
	}
}

func TestWebhookSecurity(t *testing.T) {
	t.Parallel()
	h := newHarness(t, webhook)
	hooks := h.api.Sent("setWebhook")
	if len(hooks) != 1 || hooks[0].Params["url"] != "https://bot.example.org/telegram/hook" || hooks[0].Params["secret_token"] != testSecret {
		t.Fatalf("setWebhook: %+v", hooks)
	}
	if !strings.Contains(hooks[0].Params["allowed_updates"], "callback_query") {
		t.Errorf("allowed_updates = %s", hooks[0].Params["allowed_updates"])
	}
	update, _ := json.Marshal(map[string]any{"update_id": 1, "message": tt.Text(anna, "hi")["message"]})
	cases := []struct {
		name   string
		body   []byte
		secret string
		method string
		want   int
	}{
		{"no secret", update, "", http.MethodPost, http.StatusUnauthorized},
		{"wrong secret", update, "wrong", http.MethodPost, http.StatusUnauthorized},
		{"secret with a different length", update, testSecret + "x", http.MethodPost, http.StatusUnauthorized},
		{"GET", nil, testSecret, http.MethodGet, http.StatusMethodNotAllowed},
		{"over 1 MB", append(append([]byte(`{"update_id":2,"message":{"text":"`), bytes.Repeat([]byte("a"), maxWebhookBody)...), `"}}`...), testSecret, http.MethodPost, http.StatusRequestEntityTooLarge},
		{"not JSON", []byte("hello"), testSecret, http.MethodPost, http.StatusBadRequest},
		{"no update_id", []byte(`{"message":{}}`), testSecret, http.MethodPost, http.StatusBadRequest},
		{"right secret", update, testSecret, http.MethodPost, http.StatusOK},
		{"the same update again", update, testSecret, http.MethodPost, http.StatusOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, h.hook.URL+h.ch.WebhookPath(), bytes.NewReader(c.body))
			if c.secret != "" {
				req.Header.Set(SecretHeader, c.secret)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("status %d, want %d", resp.StatusCode, c.want)
			}
		})
	}
	h.waitTo(anna.ID, 1)
	h.waitIdle()
	if n := len(h.sentTo(anna.ID)); n != 1 {
		t.Errorf("%d answers, want 1 (unauthorized and duplicate posts answer nothing)", n)
	}
}

// TestWebhookStoresBeforeRun: updates posted before the bot is connected wait in
// the inbox and are answered once it is.
func TestWebhookStoresBeforeRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, webhook)
	h.stop()
	h.start()
	h.stop()
	// A new channel, not running: the handler still stores.
	ch, err := New(h.opt)
	if err != nil {
		t.Fatal(err)
	}
	h.ch = ch
	rec := httptestRecorder(t, ch, tt.Text(dana, "hallo"), 77)
	if rec != http.StatusOK {
		t.Fatalf("status %d", rec)
	}
	if p, _ := h.db.Pending(context.Background()); len(p) != 1 || p[0].ID != 77 {
		t.Fatalf("pending = %+v", p)
	}
	h.start()
	h.waitTo(dana.ID, 1)
	h.waitIdle()
}

// TestRateLimits runs with short limits: messages to one chat are spaced PerChat
// apart, and all messages Global apart.
func TestRateLimits(t *testing.T) {
	t.Parallel()
	lim := testLimits
	lim.Off = false
	lim.PerChat = 100 * time.Millisecond
	lim.PerGroup = 200 * time.Millisecond
	lim.Global = 15 * time.Millisecond
	lim.GlobalBurst = 1
	h := newHarness(t, polling, func(o *Options) { o.Limits = lim })

	h.deliver(tt.Text(anna, "the guide, please"))
	users := []tt.User{bernd, chen, dana, {ID: 105, Lang: "en"}, {ID: 106, Lang: "en"}}
	for _, u := range users {
		h.deliver(tt.Text(u, "hi"))
	}
	for _, u := range users {
		h.waitTo(u.ID, 1)
	}
	h.waitIdle()
	guide := h.sentTo(anna.ID)
	if len(guide) < 2 {
		t.Fatalf("guide in %d pieces", len(guide))
	}
	// Times are taken when the fake receives a call, a little after it started:
	// allow some slack. Under the race detector on two busy cores a call can
	// arrive some 25ms late (each accepted call is recorded in SQLite before the
	// next, which costs CPU there); without the limits the gaps would be about
	// the global 15ms, far below the limits less the slack.
	slack := 30 * time.Millisecond
	for i := 1; i < len(guide); i++ {
		if gap := guide[i].At.Sub(guide[i-1].At); gap < lim.PerChat-slack {
			t.Errorf("pieces %d and %d to one chat %v apart, want ≥ %v", i-1, i, gap, lim.PerChat)
		}
	}
	// The global limit is a rate: the messages from the i-th to the last take at
	// least (last-i) intervals. One message received late (a new connection, a busy
	// machine) shortens the spans that start with it, so the best of them counts:
	// without the limit every span would be too short.
	all := h.api.Sent("sendMessage")
	last := len(all) - 1
	best := time.Duration(-1 << 62)
	for i := range last {
		if d := all[last].At.Sub(all[i].At) - time.Duration(last-i)*lim.Global; d > best {
			best = d
		}
	}
	if best < -slack {
		t.Errorf("%d messages faster than one each %v: every span is short by %v or more", len(all), lim.Global, -best)
	}

	group := tt.GroupChat(-300)
	h.deliver(tt.TextIn(group, anna, "/help"))
	h.deliver(tt.TextIn(group, anna, "/privacy"))
	msgs := h.waitTo(-300, 2)
	if gap := msgs[1].At.Sub(msgs[0].At); gap < lim.PerGroup-slack {
		t.Errorf("group messages %v apart, want ≥ %v", gap, lim.PerGroup)
	}
}

// TestBadTokenStopsWithClearError: Telegram's 401 ends Run with a sentence that
// names the setting and not the token.
func TestBadTokenStopsWithClearError(t *testing.T) {
	t.Parallel()
	api := tt.New(t)
	opt := newHarness(t, polling).opt // for the store
	opt.Token = "987654321:ZZZwrongTOKENwrongTOKENwrongTOKEN99"
	opt.APIURL = api.URL
	ch, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ch.Run(ctx, &echo{})
	if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("Run: %v", err)
	}
	if strings.Contains(err.Error(), "wrongTOKEN") {
		t.Errorf("the error shows the token: %v", err)
	}
}

// TestNetworkErrorsHideTheToken: a Bot API that cannot be reached yields errors
// without the URL (which holds the token).
func TestNetworkErrorsHideTheToken(t *testing.T) {
	t.Parallel()
	a := &apiClient{hc: http.DefaultClient, base: "http://127.0.0.1:1", token: tt.Token}
	err := a.call(context.Background(), "getMe", map[string]any{}, nil)
	if err == nil {
		t.Fatal("no error from an unreachable API")
	}
	if strings.Contains(err.Error(), tt.Token) || strings.Contains(err.Error(), "AAHfake") {
		t.Errorf("error shows the token: %v", err)
	}
	if k, _ := classify(err); k != errTransient {
		t.Errorf("classified as %v, want transient", k)
	}
}

// TestShutdownFinishesUpdatesInHand: on shutdown an update being answered is
// answered completely — every piece of a split reply — and marked done.
func TestShutdownFinishesUpdatesInHand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.api.Script("sendMessage", func(tt.Request) *tt.Response {
		time.Sleep(40 * time.Millisecond) // a slow Telegram
		return nil
	})
	h.deliver(tt.Text(anna, "the guide, please"))
	h.api.WaitFor(t, 10*time.Second, "the first piece", func(s *tt.Server) bool { return len(s.Requests("sendMessage")) >= 1 })
	h.stop()
	msgs := h.sentTo(anna.ID)
	if len(msgs) < 2 || msgs[len(msgs)-1].Params["reply_markup"] == "" {
		t.Fatalf("%d pieces sent before the stop completed; the last must carry the keyboard", len(msgs))
	}
	if p, _ := h.db.Pending(context.Background()); len(p) != 0 {
		t.Errorf("%d updates pending after a graceful stop", len(p))
	}
}

// TestStopWhileTelegramIsDown: Run keeps retrying getMe while the Bot API fails, is
// not ready meanwhile, and stops cleanly.
func TestStopWhileTelegramIsDown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	h.stop()
	h.api.FailNext("getMe", 1000, tt.ServerError(502))
	ch, err := New(h.opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ch.Run(ctx, h.echo) }()
	h.api.WaitFor(t, 5*time.Second, "getMe retries", func(s *tt.Server) bool { return len(s.Requests("getMe")) >= 4 })
	if ch.Ready() == nil {
		t.Error("ready without Telegram")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
}

// TestCommandMenus: once connected, the handler's menus are registered, one call
// per language code.
func TestCommandMenus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	calls := h.api.WaitSent(t, "setMyCommands", 2)
	var codes []string
	for _, c := range calls {
		codes = append(codes, c.Params["language_code"])
		if !strings.Contains(c.Params["commands"], `"command":"start"`) {
			t.Errorf("menu %q: %s", c.Params["language_code"], c.Params["commands"])
		}
	}
	slices.Sort(codes)
	if !slices.Equal(codes, []string{"", "de"}) {
		t.Errorf("menus for %q, want the default and de", codes)
	}
	if got := h.api.Sent("deleteWebhook"); len(got) != 1 {
		t.Errorf("polling mode: %d deleteWebhook calls, want 1", len(got))
	}
}

// TestSendOutsideAnUpdate: a message sent outside the handling of an update (a staff
// reply) goes through the same queue; Done hears that it was accepted, that the chat
// blocked the bot, or, when the channel does not run, that it was not sent.
func TestSendOutsideAnUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, polling)
	result := make(chan error, 1)
	send := func(chatID int64, text string) error {
		h.ch.Send(context.Background(), Message{ChatID: chatID, Text: text, Done: func(err error) { result <- err }})
		select {
		case err := <-result:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Done not called")
			return nil
		}
	}
	if err := send(anna.ID, guideText); err != nil {
		t.Fatalf("send: %v", err)
	}
	if n := len(h.sentTo(anna.ID)); n != 2 {
		t.Errorf("%d pieces, want 2", n)
	}
	h.api.FailNext("sendMessage", 1, tt.Forbidden())
	if err := send(bernd.ID, "hello"); !IsForbidden(err) {
		t.Errorf("send to a chat that blocked the bot: %v", err)
	}
	h.stop()
	if err := send(chen.ID, "hello"); err == nil || IsForbidden(err) {
		t.Errorf("send while stopped: %v", err)
	}
	if n := len(h.sentTo(chen.ID)); n != 0 {
		t.Errorf("%d messages sent while stopped", n)
	}
}
