package chat

import (
	"context"
	"time"
)

// Claims is an Inbox shared by several replicas: each replica's workers claim the
// updates they handle, so that every update is handled by one of them at a time
// and one chat's updates one after another, whichever replica received them.
//
// A claim is a lease measured with the database's clock. An update whose lease
// expired (its replica was killed, or lost the database) is claimed again by
// another replica; the calls Telegram accepted for it already come back in
// Update.Sent and are not made again. Done (of Inbox) ends a claim.
type Claims interface {
	// Claim leases up to n pending updates to owner for lease and returns them,
	// oldest first. It takes only the oldest pending update of each chat, and no
	// update of a chat whose oldest pending update is leased by anyone and not
	// expired: of one chat, one update is in hand in the whole cluster. Updates
	// without a chat (ChatID 0) are each a chat of their own.
	Claim(ctx context.Context, owner string, n int, lease time.Duration) ([]Update, error)
	// Renew extends the leases owner holds to lease from now and returns how many
	// it holds. A replica calls it well before its leases expire.
	Renew(ctx context.Context, owner string, lease time.Duration) (int, error)
	// Release gives up the leases owner holds on updates not done (at shutdown),
	// so that another replica takes them at once.
	Release(ctx context.Context, owner string) error
	// Depth returns how many updates are pending in the whole cluster.
	Depth(ctx context.Context) (int64, error)
}
