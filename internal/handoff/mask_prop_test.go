package handoff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

func TestMaskMore(t *testing.T) {
	tests := []struct{ in, want string }{
		// Digits of other scripts.
		{"شماره من ۰۹۱۲۳۴۵۶۷۸۹ است", "شماره من [phone] است"},
		{"رقمي ٠١٧٦١٢٣٤٥٦٧", "رقمي [phone]"},
		{"Nummer ０１７６ １２３４５６７", "Nummer [phone]"},
		{"＋４９ １７６ １２３４５６７", "[phone]"},
		{"मेरा नंबर ९८७६५४३२१० है", "मेरा नंबर [phone] है"},
		{"۰۹۱۲-۳۴۵-۶۷۸۹", "[phone]"},
		// Short numbers in any script stay.
		{"call ١١٢", "call ١١٢"},
		{"سال ۱۴۰۳", "سال ۱۴۰۳"},
		// Spelled-out e-mail addresses, all seven languages.
		{"anna at example dot org", "[e-mail]"},
		{"write anna (at) example (dot) org please", "write [e-mail] please"},
		{"anna ät beispiel punkt de", "[e-mail]"},
		{"anna [ät] beispiel [punkt] de", "[e-mail]"},
		{"anna.m at mail dot example dot com", "[e-mail]"},
		{"بريدي anna آت gmail دوت com", "بريدي [e-mail]"},
		{"anna собака mail точка ru", "[e-mail]"},
		{"пишіть anna равлик ukr точка net", "пишіть [e-mail]"},
		{"anna et gmail nokta com", "[e-mail]"},
		{"ایمیل anna اَت yahoo نقطه com", "ایمیل [e-mail]"},
		{"anna＠example．org", "[e-mail]"},
		// IBANs and document numbers.
		{"IBAN: DE89 3704 0044 0532 0130 00 bitte", "IBAN: [IBAN] bitte"},
		{"de89370400440532013000", "[IBAN]"},
		{"GB82 WEST 1234 5698 7654 32", "[IBAN]"},
		{"Ausweisnummer L01X00T47", "Ausweisnummer [document number]"},
		{"my residence permit is Y1234567K", "my residence permit is [document number]"},
		{"passport FA123456", "passport [document number]"},
		{"ausweis l01x00t47, danke", "ausweis [document number], danke"},
	}
	for _, tc := range tests {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMaskKeepsOrdinaryText: sentences users write, with the words that spell @ and
// the dot used as words, numbers that are no phone numbers, stay as they are.
func TestMaskKeepsOrdinaryText(t *testing.T) {
	for lang, sentences := range map[string][]string{
		"de": {"Wo ist das Ausländerbüro?", "Ich habe um 10:30 einen Termin am 12.05.2024.", "Das ist der wichtigste Punkt.",
			"Treffpunkt ist at the Bahnhof.", "Ich wohne seit 2019 in 26121 Oldenburg, Haus 12a.", "Brauche ich das B1-Zertifikat?",
			"Mein Kind ist 3 Jahre alt und geht in die Kita.", "Kostet der Kurs 120 € oder 1.200 €?", "Wo finde ich die Formulare für den Aufenthaltstitel?"},
		"en": {"Where is the immigration office?", "I arrived at Oldenburg station at 9.30.", "I study at uni-oldenburg.de now.",
			"Look at the dot on the map.", "My appointment is at 10.30 on 2024-05-12.", "Is the B2 course free?", "I need form AB-12 for my visa."},
		"ar": {"أين مكتب الأجانب؟", "لدي موعد في الساعة ١٠ يوم ١٢", "هذه نقطة مهمة جدا", "أسكن في أولدنبورغ منذ ٢٠٢٣"},
		"uk": {"Де знаходиться Ausländerbüro?", "Це важлива крапка в розмові.", "У нас є собака і кіт.", "Мені 25 років, я з Харкова."},
		"ru": {"Где находится миграционная служба?", "У меня есть собака и кошка. Точка зрения важна.", "Это точка на карте.", "Мой сын родился в 2015 году."},
		"tr": {"Yabancılar dairesi nerede?", "Lütfen bana yardım et, çok önemli.", "Bu önemli bir nokta.", "Et ve sebze nereden alabilirim?", "2024 yılında geldim."},
		"fa": {"اداره اتباع کجاست؟", "این نقطه مهمی است", "من از سال ۱۴۰۲ اینجا هستم", "قیمت ۱۲۰ یورو است"},
	} {
		for _, s := range sentences {
			if got := Mask(s); got != s {
				t.Errorf("%s: Mask(%q) = %q, want it unchanged", lang, s, got)
			}
		}
	}
}

// digitZeros returns the zero of every decimal digit set Unicode has (ASCII,
// Arabic-Indic, Persian, Devanagari, full-width, …).
func digitZeros() []rune {
	var zeros []rune
	for _, rng := range unicode.Nd.R16 {
		for r := rune(rng.Lo); r <= rune(rng.Hi); r += rune(rng.Stride) {
			if unicode.IsDigit(r) && !unicode.IsDigit(r-1) {
				zeros = append(zeros, r)
			}
		}
	}
	for _, rng := range unicode.Nd.R32 {
		for r := rune(rng.Lo); r <= rune(rng.Hi); r += rune(rng.Stride) {
			if unicode.IsDigit(r) && !unicode.IsDigit(r-1) {
				zeros = append(zeros, r)
			}
		}
	}
	return zeros
}

// sentences a number is put into, in the seven languages.
var frames = []string{"Meine Nummer ist %s, danke", "call me on %s", "رقمي %s شكرا", "мій номер %s", "мой номер: %s.", "numaram %s", "شماره من %s است"}

// TestMaskPhoneProperty: phone numbers of 7 to 15 digits, in every digit script
// Unicode has, grouped in random ways and put into sentences of every language, are
// masked, and the sentence around them stays.
func TestMaskPhoneProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2026))
	zeros := digitZeros()
	if len(zeros) < 60 {
		t.Fatalf("only %d digit sets found", len(zeros))
	}
	seps := []string{"", " ", "-", "/", " ", "\u00a0"}
	for _, zero := range zeros {
		for range 20 {
			n := 7 + rng.IntN(9)
			var b strings.Builder
			if rng.IntN(3) == 0 {
				b.WriteString("+")
			}
			for i := range n {
				if i > 0 && i%(2+rng.IntN(3)) == 0 {
					b.WriteString(seps[rng.IntN(len(seps))])
				}
				b.WriteRune(zero + rune(rng.IntN(10)))
			}
			number := b.String()
			if dateRe.MatchString(number) {
				continue // kept on purpose: 2024-05-12
			}
			frame := frames[rng.IntN(len(frames))]
			in := fmt.Sprintf(frame, number)
			want := fmt.Sprintf(frame, MaskedPhone)
			if got := Mask(in); got != want {
				t.Fatalf("digits from %U: Mask(%q) = %q, want %q", zero, in, got, want)
			}
		}
		// Up to six digits are no phone number, in any script.
		short := string([]rune{zero + 1, zero + 1, zero + 2})
		if got := Mask("call " + short); got != "call "+short {
			t.Errorf("Mask(%q) = %q", "call "+short, got)
		}
	}
}

// TestMaskEmailProperty: generated addresses, written with @ or spelled out with
// the words of every language, are masked and the local part is gone.
func TestMaskEmailProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 2027))
	ats := strings.Split(atWords, "|")
	dots := strings.Split(dotWords, "|")
	word := func(min int) string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		n := min + rng.IntN(8)
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	tlds := []string{"de", "org", "com", "ru", "ua", "net", "info", "ir"}
	for i := range 2000 {
		local := word(3) + fmt.Sprint(rng.IntN(100))
		domain := word(2)
		tld := tlds[rng.IntN(len(tlds))]
		at, dot := ats[rng.IntN(len(ats))], dots[rng.IntN(len(dots))]
		var addr string
		switch i % 5 {
		case 0:
			addr = local + "@" + domain + "." + tld
		case 1:
			addr = local + " " + at + " " + domain + " " + dot + " " + tld
		case 2:
			addr = local + " (" + at + ") " + domain + " (" + dot + ") " + tld
		case 3:
			addr = local + "[" + at + "]" + domain + "." + tld
		case 4:
			addr = local + " " + strings.ToUpper(at) + " " + domain + " " + strings.ToUpper(dot) + " " + tld
		}
		frame := frames[rng.IntN(len(frames))]
		in := fmt.Sprintf(frame, addr)
		got := Mask(in)
		if want := fmt.Sprintf(frame, MaskedEmail); got != want {
			t.Fatalf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
