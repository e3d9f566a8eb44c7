package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/go-telegram/bot"

	"github.com/oldenburg/ankommen/internal/metrics"
)

// ServerError is a 5xx answer of the Bot API (or of a proxy in front of it). The
// library wraps it with %w, so errors.As finds it.
type ServerError struct {
	Method      string
	Status      int
	Description string
}

func (e *ServerError) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("telegram: %s: server error %d", e.Method, e.Status)
	}
	return fmt.Sprintf("telegram: %s: server error %d: %s", e.Method, e.Status, e.Description)
}

// NetworkError is a failed HTTP round trip to the Bot API. It keeps the cause for
// errors.Is (context.Canceled, timeouts) but not the URL, which holds the token.
type NetworkError struct {
	Method string
	Err    error
}

func (e *NetworkError) Error() string { return fmt.Sprintf("telegram: %s: %v", e.Method, e.Err) }
func (e *NetworkError) Unwrap() error { return e.Err }

// apiClient is the HTTP client under the Bot API library and the poller. It turns
// 5xx answers and network failures into typed errors, counts every failed call by
// kind, and keeps the token out of error texts.
type apiClient struct {
	hc      *http.Client
	base    string // API base URL
	token   string
	metrics *metrics.Metrics
}

// Do implements bot.HttpClient.
func (a *apiClient) Do(req *http.Request) (*http.Response, error) {
	method := path.Base(req.URL.Path)
	resp, err := a.hc.Do(req)
	if err != nil {
		if req.Context().Err() == nil {
			a.metrics.APIError(method, "network")
		}
		return nil, &NetworkError{Method: method, Err: a.redact(err)}
	}
	switch {
	case resp.StatusCode >= 500:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		var r apiResponse
		_ = json.Unmarshal(body, &r)
		a.metrics.APIError(method, "server")
		return nil, &ServerError{Method: method, Status: resp.StatusCode, Description: r.Description}
	case resp.StatusCode >= 400:
		a.metrics.APIError(method, statusKind(resp.StatusCode))
	}
	return resp, nil
}

func statusKind(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusTooManyRequests:
		return "too_many_requests"
	}
	return "other"
}

// redact drops the URL of a *url.Error and replaces the token anywhere else.
func (a *apiClient) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	if a.token != "" && strings.Contains(err.Error(), a.token) {
		return redactedError{err: err, token: a.token}
	}
	return err
}

type redactedError struct {
	err   error
	token string
}

func (e redactedError) Error() string {
	return strings.ReplaceAll(e.err.Error(), e.token, "[redacted]")
}
func (e redactedError) Unwrap() error { return e.err }

type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// call posts params as JSON to a Bot API method and decodes the result into dest. Its
// errors match the library's: *bot.TooManyRequestsError, bot.ErrorUnauthorized, …
// The poller uses it: the library's own getUpdates loop confirms updates to Telegram
// before they are stored, which could lose them in a crash.
func (a *apiClient) call(ctx context.Context, method string, params, dest any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/bot"+a.token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("telegram: %s: %w", method, a.redact(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &NetworkError{Method: method, Err: a.redact(err)}
	}
	var r apiResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("telegram: %s: undecodable answer (HTTP %d): %w", method, resp.StatusCode, err)
	}
	if !r.OK {
		switch r.ErrorCode {
		case http.StatusTooManyRequests:
			return &bot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, r.Description), RetryAfter: r.Parameters.RetryAfter}
		case http.StatusUnauthorized:
			return fmt.Errorf("telegram: %s: %w, %s", method, bot.ErrorUnauthorized, r.Description)
		case http.StatusNotFound:
			return fmt.Errorf("telegram: %s: %w, %s", method, bot.ErrorNotFound, r.Description)
		case http.StatusConflict:
			return fmt.Errorf("telegram: %s: %w, %s", method, bot.ErrorConflict, r.Description)
		case http.StatusBadRequest:
			return fmt.Errorf("telegram: %s: %w, %s", method, bot.ErrorBadRequest, r.Description)
		case http.StatusForbidden:
			return fmt.Errorf("telegram: %s: %w, %s", method, bot.ErrorForbidden, r.Description)
		}
		return fmt.Errorf("telegram: %s: error %d: %s", method, r.ErrorCode, r.Description)
	}
	if dest != nil {
		if err := json.Unmarshal(r.Result, dest); err != nil {
			return fmt.Errorf("telegram: %s: undecodable result: %w", method, err)
		}
	}
	return nil
}

// errKind sorts an error of a Bot API call by what to do about it.
type errKind int

const (
	errPermanent    errKind = iota // give up: retrying cannot help (400, 404, …)
	errRetryAfter                  // 429: wait retry_after, then retry
	errTransient                   // 5xx or network: retry with backoff
	errForbidden                   // 403: the user blocked the bot; stop sending to the chat
	errAborted                     // our own context ended: shutting down
	errUnauthorized                // 401: the token is wrong; nothing will work
)

func classify(err error) (errKind, int) {
	var tm *bot.TooManyRequestsError
	var se *ServerError
	var ne *NetworkError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, errStopped):
		return errAborted, 0
	case errors.As(err, &tm):
		return errRetryAfter, tm.RetryAfter
	case errors.Is(err, bot.ErrorForbidden):
		return errForbidden, 0
	case errors.Is(err, bot.ErrorUnauthorized):
		return errUnauthorized, 0
	case errors.As(err, &se), errors.As(err, &ne), errors.Is(err, context.DeadlineExceeded):
		return errTransient, 0
	}
	return errPermanent, 0
}

// errStopped is the cause of a call dropped because the channel stopped.
var errStopped = errors.New("telegram: stopped")
