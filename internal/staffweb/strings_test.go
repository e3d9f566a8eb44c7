package staffweb

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/oldenburg/ankommen/internal/assistant"
	"github.com/oldenburg/ankommen/internal/content"
	"github.com/oldenburg/ankommen/internal/handoff"
	"github.com/oldenburg/ankommen/internal/locale"
	localesfs "github.com/oldenburg/ankommen/locales"
)

// TestEveryStringExists: each message id the pages use — written out in templates
// and code, or made of a prefix and a value — is in the German and the English
// staff strings (a missing one would show as its id).
func TestEveryStringExists(t *testing.T) {
	b, err := locale.Load(localesfs.FS, content.Languages, nil)
	if err != nil {
		t.Fatal(err)
	}
	idRe := regexp.MustCompile(`"(Staff[A-Za-z]+(?:_[a-z_]+)?)"`)
	used := map[string]bool{}
	for _, pattern := range []string{"*.go", "templates/*.html"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range idRe.FindAllStringSubmatch(string(data), -1) {
				used[m[1]] = true
			}
		}
	}
	for _, s := range []handoff.Status{handoff.StatusOpen, handoff.StatusClosed, handoff.StatusSpam, handoff.StatusLearned, handoff.StatusHandoff} {
		used["StaffStatus_"+string(s)] = true
	}
	for _, d := range []handoff.Delivery{handoff.DeliveryPending, handoff.DeliverySent, handoff.DeliveryFailed, handoff.DeliveryBlocked} {
		used["StaffDelivery_"+string(d)] = true
	}
	used["StaffSystem_closed"], used["StaffSystem_spam"] = true, true
	for _, d := range []string{dueOverdue, dueSoon, dueMissing} {
		used["StaffReviewDue_"+d] = true
	}
	for _, k := range []assistant.Kind{assistant.KindAnswer, assistant.KindNotSure, assistant.KindEmergency, assistant.KindGreeting,
		assistant.KindThanks, assistant.KindHuman, assistant.KindEmpty, assistant.KindUnsupported} {
		used["StaffKind_"+string(k)] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d ids: the pattern misses them", len(used))
	}
	for id := range used {
		for _, lang := range locale.StaffLangs {
			if !b.IDs(lang)[id] {
				t.Errorf("%s: no message %q", lang, id)
			}
		}
	}
}
