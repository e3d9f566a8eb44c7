package telegram

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// maxWebhookBody is the largest webhook request body read; Telegram's updates are far
// smaller.
const maxWebhookBody = 1 << 20

// SecretHeader carries the webhook secret.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookPath is the path of the webhook URL, "/" when it has none.
func (c *Channel) WebhookPath() string {
	u, err := url.Parse(c.opt.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// WebhookHandler receives updates posted by Telegram. It answers 401 unless the
// secret header matches (compared in constant time), 413 for bodies over 1 MB and 400
// for what is not an update. An update is stored in the inbox before the 200, and
// handled after it: Telegram gets its answer at once, and an update is never lost —
// when it cannot be stored, the 500 makes Telegram send it again.
func (c *Channel) WebhookHandler() http.Handler {
	want := sha256.Sum256([]byte(c.opt.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Hashing first makes the comparison take the same time for any length.
		got := sha256.Sum256([]byte(r.Header.Get(SecretHeader)))
		if c.opt.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			c.metrics.Ignored("unauthorized")
			c.log.Warn("webhook: request without the right secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		rec, err := decodeRecord(body, c.now())
		if err != nil {
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		if err := c.accept(r.Context(), []record{rec}, 0); err != nil {
			c.log.Error("webhook: cannot store update; Telegram will send it again", "update_id", rec.id, "err", err)
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
