package translit

import "testing"

func TestToScript(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"ru", "gde mozhno vyuchit nemeckij", "где можно вючит немецкий"},
		{"ru", "shkola", "школа"},
		{"uk", "de ya mozhu vyvchyty nimetsku", "де я можу вивчити німецку"},
		{"ar", "wen ma7al el jobcenter", "ون محل ال jobcenter"},
		{"ar", "3ayez", "عيز"},
		{"fa", "koja mitonam almani yad begiram", "کجا متنم المنی ید بگرم"},
		{"de", "unchanged", "unchanged"},
	}
	for _, tt := range tests {
		if got := ToScript(tt.lang, tt.in); got != tt.want {
			t.Errorf("ToScript(%s, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}
