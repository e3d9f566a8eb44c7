package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"

	"github.com/oldenburg/ankommen/internal/app"
	"github.com/oldenburg/ankommen/internal/config"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/staff"
	"github.com/oldenburg/ankommen/internal/store"
)

const staffUsage = "staff add|list|remove [--data DIR | --database-url URL] [NAME]"

// bcryptCost is the cost of new password hashes.
var bcryptCost = bcrypt.DefaultCost

// storeFlags are the flags that say where the state is: --data (env ANKOMMEN_DATA,
// default "data"), the directory of the SQLite file `serve` uses, and
// --database-url (env ANKOMMEN_DATABASE_URL), a PostgreSQL server's URL that takes
// precedence.
type storeFlags struct{ data, url *string }

func dataFlag(fs *flag.FlagSet, env *Env) storeFlags {
	def := strings.TrimSpace(env.Getenv("ANKOMMEN_DATA"))
	if def == "" {
		def = "data"
	}
	return storeFlags{
		data: fs.String("data", def, "data directory of the SQLite database (env ANKOMMEN_DATA)"),
		url:  fs.String("database-url", strings.TrimSpace(env.Getenv("ANKOMMEN_DATABASE_URL")), "PostgreSQL URL postgres://user:password@host/db; empty: SQLite in --data (env ANKOMMEN_DATABASE_URL)"),
	}
}

// openDB opens the database the flags name (app.OpenStore). Only with create may it
// make the SQLite directory and file: `staff add` (the first account) does, as
// `serve` does; every other command refuses, so that a typo in --data never quietly
// starts an empty database.
func openDB(ctx context.Context, f storeFlags, create bool) (store.Store, error) {
	cfg := config.Config{DataDir: *f.data, DatabaseURL: *f.url}
	if cfg.DatabaseURL != "" && !config.IsPostgresURL(cfg.DatabaseURL) {
		return nil, errors.New("--database-url (ANKOMMEN_DATABASE_URL) must be a PostgreSQL URL starting with postgres:// or postgresql://, such as postgres://ankommen@db.example.org:5432/ankommen")
	}
	return app.OpenStore(ctx, cfg, create)
}

// reason is the text of err without the "staff: invalid: " of staff.ErrInvalid:
// the command names itself already ("staff add: the password …").
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), staff.ErrInvalid.Error()+": ")
}

// runStaff manages the staff page's accounts: add (the password is asked on the
// terminal without echo, twice, or read as the first line of stdin when stdin is no
// terminal), list, remove.
func runStaff(ctx context.Context, env *Env, args []string) int {
	fs := newFlags(env, "staff", staffUsage)
	data := dataFlag(fs, env)
	pos, code := parse(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", staffUsage)
		return ExitUsage
	}
	sub, pos := pos[0], pos[1:]
	want := 1
	if sub == "list" {
		want = 0
	}
	if sub != "add" && sub != "list" && sub != "remove" {
		fmt.Fprintf(env.Stderr, "staff: unknown subcommand %q; use add, list or remove\n", sub)
		return ExitUsage
	}
	if len(pos) != want {
		fmt.Fprintf(env.Stderr, "Usage: ankommen %s\n", staffUsage)
		return ExitUsage
	}
	name := ""
	if want == 1 {
		name = pos[0]
		if err := staff.CheckName(name); err != nil {
			fmt.Fprintf(env.Stderr, "staff %s: invalid name %q: %s\n", sub, name, reason(err))
			return ExitUsage
		}
	}
	var password string
	if sub == "add" {
		var err error
		if password, err = readPassword(env); err != nil {
			fmt.Fprintf(env.Stderr, "staff add: %v\n", err)
			return ExitUsage
		}
		if err := staff.CheckPassword(name, password); err != nil {
			fmt.Fprintf(env.Stderr, "staff add: %s\n", reason(err))
			return ExitUsage
		}
	}
	db, err := openDB(ctx, data, sub == "add")
	if err != nil {
		fmt.Fprintf(env.Stderr, "staff %s: %v\n", sub, err)
		return ExitFail
	}
	defer db.Close()
	switch sub {
	case "add":
		hash, err := staff.Hash(password, bcryptCost)
		if err != nil {
			fmt.Fprintf(env.Stderr, "staff add: %s\n", reason(err))
			return ExitUsage
		}
		if _, err := db.AddStaff(ctx, name, hash, time.Now()); err != nil {
			if errors.Is(err, staff.ErrExists) {
				fmt.Fprintf(env.Stderr, "staff add: there is an account %q already\n", name)
				return ExitFail
			}
			fmt.Fprintf(env.Stderr, "staff add: %v\n", err)
			return ExitFail
		}
		fmt.Fprintf(env.Stdout, "added %s; log in at /staff/\n", name)
	case "list":
		accs, err := db.ListStaff(ctx)
		if err != nil {
			fmt.Fprintf(env.Stderr, "staff list: %v\n", err)
			return ExitFail
		}
		if len(accs) == 0 {
			fmt.Fprintln(env.Stdout, "no accounts; add one with: ankommen staff add NAME")
		}
		for _, a := range accs {
			last := "never"
			if !a.LastLogin.IsZero() {
				last = a.LastLogin.In(handoff.Zone).Format("2006-01-02 15:04")
			}
			fmt.Fprintf(env.Stdout, "%-24s added %s, last login %s\n", a.Name, a.CreatedAt.In(handoff.Zone).Format("2006-01-02"), last)
		}
	case "remove":
		if err := db.RemoveStaff(ctx, name); err != nil {
			if errors.Is(err, staff.ErrNotFound) {
				fmt.Fprintf(env.Stderr, "staff remove: there is no account %q\n", name)
				return ExitFail
			}
			fmt.Fprintf(env.Stderr, "staff remove: %v\n", err)
			return ExitFail
		}
		fmt.Fprintf(env.Stdout, "removed %s and ended its sessions\n", name)
	}
	return ExitOK
}

// readPassword asks for the password twice on a terminal (without echo), or reads
// the first line of stdin. The password is never printed.
func readPassword(env *Env) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && env.Terminal && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(env.Stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(env.Stderr)
			return string(b), err
		}
		p1, err := ask(fmt.Sprintf("Password (at least %d characters, not a common one, no run like 123456789012): ", staff.MinPassword))
		if err != nil {
			return "", err
		}
		p2, err := ask("The same again: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the passwords differ")
		}
		return p1, nil
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password: give it as the first line of stdin, or run on a terminal")
	}
	return line, nil
}
