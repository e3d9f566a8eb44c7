package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzParseTopic feeds arbitrary bytes as a topic file: Load must never panic, and
// every issue it reports must name the file.
func FuzzParseTopic(f *testing.F) {
	f.Add([]byte(goodDE))
	f.Add([]byte(officerDE))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [\n---\nx"))
	f.Add([]byte("---\nquestions: {a: b}\nsources: 5\n---\nbody"))
	f.Add([]byte("\ufeff---\r\ntitle: x\r\n---\r\n"))
	f.Add([]byte{0xff, 0xfe, 0x00})
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := fixture(nil)
		fs["fuzzed.de.md"] = &fstest.MapFile{Data: data}
		c, issues, err := Load(fs)
		for _, i := range issues {
			if i.File == "" || i.Msg == "" {
				t.Fatalf("issue without file or message: %+v", i)
			}
		}
		if err == nil {
			if c.Topic("fuzzed") == nil {
				t.Fatal("no error, but the fuzzed topic is missing")
			}
			if strings.TrimSpace(c.Topic("fuzzed").In("de").Body) == "" {
				t.Fatal("accepted a topic with an empty body")
			}
		}
	})
}
