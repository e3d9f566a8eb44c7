package reply

import (
	"strings"
	"testing"
)

func TestIsolate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"اتصل على 0441 235-3233.", "اتصل على \u20680441 235-3233\u2069."},
		{"**Ausländerbüro** (مكتب)", "**\u2068Ausländerbüro\u2069** (مكتب)"},
		{"البريد: aliz.mueller[at]stadt-oldenburg.de", "البريد: \u2068aliz.mueller[at]stadt-oldenburg.de\u2069"},
		{"العنوان Pferdemarkt 14, 26121 Oldenburg.", "العنوان \u2068Pferdemarkt 14, 26121 Oldenburg\u2069."},
		{"(0441 235-4444)", "(\u20680441 235-4444\u2069)"},
		{"بدون لاتينية", "بدون لاتينية"},
		{"/topics – المواضيع", "/topics – المواضيع"},
	}
	for _, tt := range tests {
		if got := Isolate(tt.in); got != tt.want {
			t.Errorf("Isolate(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	got := htmlText("**<b>x</b>** & [click <i>](https://example.org/?a=1&b=2) [js](javascript:alert(1))\n- item <script>", nil)
	want := "<b>&lt;b&gt;x&lt;/b&gt;</b> &amp; <a href=\"https://example.org/?a=1&amp;b=2\">click &lt;i&gt;</a> js)\n• item &lt;script&gt;"
	if got != want {
		t.Errorf("HTML:\n got %q\nwant %q", got, want)
	}
	if strings.Contains(plain("[a](https://x.org)", nil), "[") {
		t.Error("Plain kept link brackets")
	}
}
