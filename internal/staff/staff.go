// Package staff holds the accounts of city staff who use the review page, their
// passwords (bcrypt) and login sessions, and the store interface for them. It
// imports no adapter.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Errors.
var (
	ErrNotFound = errors.New("staff: not found")
	ErrExists   = errors.New("staff: the name is taken")
	ErrInvalid  = errors.New("staff: invalid")
)

// Account is a staff member.
type Account struct {
	ID        int64
	Name      string
	Hash      []byte // bcrypt
	CreatedAt time.Time
	LastLogin time.Time
}

// Session is a login of a staff member.
type Session struct {
	TokenHash string // SHA-256 of the cookie's token, hex; the token itself is not stored
	StaffID   int64
	Name      string // the account's name (read with the session)
	CSRF      string // the token every form of this session must carry
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Store keeps accounts and sessions.
type Store interface {
	// AddStaff creates an account; ErrExists when the name (in any case) is taken.
	AddStaff(ctx context.Context, name string, hash []byte, at time.Time) (Account, error)
	// StaffByName returns the account, or ErrNotFound.
	StaffByName(ctx context.Context, name string) (Account, error)
	// ListStaff returns every account by name.
	ListStaff(ctx context.Context) ([]Account, error)
	// RemoveStaff deletes the account and its sessions; ErrNotFound when none.
	RemoveStaff(ctx context.Context, name string) error
	// CreateSession stores a session and records the login time.
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the token hash if it has not expired at now,
	// else ErrNotFound.
	Session(ctx context.Context, tokenHash string, now time.Time) (Session, error)
	// DeleteSession ends a session.
	DeleteSession(ctx context.Context, tokenHash string) error
}

var nameRe = regexp.MustCompile(`^[\p{L}\p{N}._@-]{1,64}$`)

// CheckName reports whether name can be an account name: 1 to 64 letters, digits,
// dots, dashes, underscores or @.
func CheckName(name string) error {
	if !nameRe.MatchString(name) {
		return fmt.Errorf("%w: a name is 1 to 64 letters, digits and . _ - @", ErrInvalid)
	}
	return nil
}

// Password lengths: bcrypt reads at most 72 bytes.
const (
	MinPassword = 12
	MaxPassword = 72
)

// Hash returns the bcrypt hash of password at cost (bcrypt.DefaultCost in production;
// tests use bcrypt.MinCost). It refuses a password that CheckPassword refuses
// without a name; check with the account's name first.
func Hash(password string, cost int) ([]byte, error) {
	if err := CheckPassword("", password); err != nil {
		return nil, err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, fmt.Errorf("staff: hash password: %w", err)
	}
	return h, nil
}

// dummyHash is compared when the name is unknown, so that a login takes as long
// for an unknown name as for a wrong password.
// It is made on first use: hashing costs time no test and no command but serve needs.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
	return h
})

// Verify reports whether password matches hash. A nil hash (unknown account) is
// compared against a dummy, taking the same time.
func Verify(hash []byte, password string) bool {
	if hash == nil {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}

// NewToken returns a random token for a cookie or a form (32 bytes, base64url).
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash returns the hash under which a session token is stored.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Attempts counts login attempts per key (a client address, an address with a
// name, a name) for the staff page's login limit. The store keeps them, so that
// every replica of the staff page counts the same attempts. Keys are UTF-8 text
// without NUL bytes; they may hold addresses, so the store keeps them no longer
// than a day.
type Attempts interface {
	// ReserveAttempt counts an attempt at now on each of keys, unless one of them
	// has limit or more attempts counted after since: then it counts none and
	// returns false. Check and count are one step, for all replicas together.
	ReserveAttempt(ctx context.Context, keys []string, limit int, since, now time.Time) (bool, error)
	// CountAttempt counts an attempt at now on key.
	CountAttempt(ctx context.Context, key string, now time.Time) error
	// Attempts returns how many attempts are counted on key after since.
	Attempts(ctx context.Context, key string, since time.Time) (int, error)
	// ReleaseAttempt removes one attempt counted on key at at (a reservation given
	// back); none when there is none.
	ReleaseAttempt(ctx context.Context, key string, at time.Time) error
	// ClearAttempts removes every attempt counted on key.
	ClearAttempts(ctx context.Context, key string) error
}
