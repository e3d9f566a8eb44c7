package langdetect

type profile struct {
	letters string // letters no other language of the same script uses
	// weakLetters lean towards the language but are also typed in the other one
	// (Arabic yeh and kaf in Persian typed on an Arabic keyboard).
	weakLetters string
	words       map[string]bool
	suffixes    []string
	prefixes    []string
}

func set(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// profiles holds, per language, the cues that tell it from the languages sharing its
// script. Function words, question words and the words newcomers use most.
var profiles = map[string]profile{
	"de": {
		letters: "äß",
		words: set("der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
			"ich", "du", "sie", "wir", "ihr", "er", "es", "mich", "mir", "mein", "meine", "meinen", "meinem",
			"und", "oder", "aber", "nicht", "kein", "keine", "ist", "sind", "bin", "habe", "hat", "haben",
			"kann", "können", "muss", "müssen", "will", "möchte", "brauche", "gibt", "wo", "wie", "was",
			"wer", "wann", "warum", "welche", "welcher", "wohin", "woher", "bei", "mit", "für", "von", "zu",
			"zum", "zur", "im", "ins", "auf", "aus", "nach", "über", "hier", "auch", "noch", "schon",
			"bitte", "danke", "hallo", "notruf", "gibt's", "gibts", "man", "mache", "machen", "bekomme", "bekommen",
			"finde", "finden", "hilfe", "deutsch", "deutschkurs", "wohnung", "arbeit", "anmelden",
			"beantragen", "termin", "ausländerbüro", "auslanderbuero", "stadt", "kind", "kinder",
			"schule", "arzt", "geld", "frage", "sprechen", "wieviel", "viel", "kostet", "lernen", "gut",
			"guten", "tag", "morgen", "abend", "ja", "nein", "jemand", "einen", "dass", "wenn", "weil",
			"neue", "neu", "meiner", "meines", "unser", "unsere", "euch", "ihnen", "eure", "sich"),
		suffixes: []string{"ung", "ungen", "keit", "heit", "lich", "chen", "isch", "schaft", "büro", "stelle"},
	},
	"en": {
		letters: "",
		words: set("the", "a", "an", "i", "you", "he", "she", "we", "they", "my", "your", "our", "me",
			"is", "are", "am", "was", "be", "do", "does", "did", "have", "has", "can", "could", "should",
			"would", "will", "need", "want", "where", "how", "what", "who", "when", "why", "which", "to",
			"for", "of", "in", "on", "at", "with", "from", "and", "or", "but", "not", "no", "any", "get",
			"find", "help", "please", "thanks", "thank", "hello", "hi", "there", "this", "that", "it",
			"office", "apply", "register", "work", "job", "learn", "german", "course", "flat", "house",
			"housing", "doctor", "money", "child", "children", "school", "permit", "residence", "city",
			"someone", "talk", "speak", "person", "much", "cost", "about", "if", "after", "before",
			"good", "morning", "yes", "know", "tell", "give", "doesn't", "don't", "i'm", "can't",
			"new", "here", "lost", "passport", "appointment", "myself", "got", "make", "where's", "what's"),
		suffixes: []string{"ing", "ness", "ship"},
	},
	"tr": {
		letters: "şğıİçŞĞÇ",
		words: set("ve", "bir", "bu", "şu", "ne", "nasıl", "nasil", "nerede", "nereye", "neden", "niye",
			"kim", "ben", "sen", "biz", "siz", "onlar", "benim", "için", "icin", "ile", "mi", "mı", "mu",
			"mü", "var", "yok", "değil", "degil", "lazım", "lazim", "istiyorum", "yardım", "yardim",
			"merhaba", "teşekkürler", "tesekkurler", "teşekkür", "lütfen", "lutfen", "nereden", "hangi",
			"kaç", "kac", "zaman", "kimlik", "oturum", "izni", "iş", "is", "ev", "okul", "doktor",
			"çocuk", "cocuk", "para", "almanca", "kursu", "randevu", "almak", "alabilirim", "bulabilirim",
			"yapabilirim", "gerekiyor", "ne zaman", "çok", "cok", "da", "de", "ki", "mı", "miyim",
			"musunuz", "misiniz", "olarak", "nasıl", "bana", "beni", "sizin", "şehir", "sehir", "evet",
			"hayır", "hayir", "günaydın", "iyi", "kötü", "ama", "veya", "gibi", "kadar", "önce", "sonra"),
		suffixes: []string{"ıyorum", "iyorum", "uyorum", "üyorum", "yorum", "mak", "mek", "lar", "ler",
			"lık", "lik", "sın", "sin", "ım", "im", "ında", "inde", "ımı", "imi", "ebilirim", "abilirim",
			"dır", "dir", "nın", "nin", "ası", "esi", "ıma", "ime", "ini", "ını", "yım", "yim"},
	},
	"ru": {
		letters: "ыэъё",
		words: set("и", "в", "не", "на", "я", "что", "как", "где", "когда", "почему", "кто", "какой",
			"какие", "какая", "мне", "меня", "мой", "моя", "мои", "можно", "нужно", "надо", "хочу",
			"есть", "нет", "это", "он", "она", "они", "мы", "вы", "вас", "вам", "с", "к", "по", "для",
			"от", "из", "за", "о", "об", "про", "или", "но", "да", "ли", "же", "бы", "здравствуйте",
			"привет", "спасибо", "пожалуйста", "помощь", "помогите", "получить", "найти", "работа",
			"работу", "квартиру", "квартира", "жильё", "жилье", "врач", "врача", "деньги", "ребенок",
			"ребёнок", "дети", "детей", "школа", "школу", "немецкий", "язык", "курсы", "курс", "город",
			"городе", "сколько", "стоит", "куда", "чтобы", "если", "все", "всё", "ещё", "еще", "уже",
			"только", "очень", "сейчас", "теперь", "там", "тут", "здесь", "был", "была", "будет",
			"может", "могу", "его", "ее", "её", "их", "свой", "свою", "наш", "ваш", "который", "также",
			"без", "до", "после", "через", "чем", "кого", "кому", "разрешение", "вид", "жительство"),
		suffixes: []string{"ться", "ется", "ится", "ются", "ого", "его", "ый", "ий", "ая", "ое", "ые", "ие", "ов",
			"ами", "ям", "ать", "ить", "еть"},
	},
	"uk": {
		letters: "іїєґІЇЄҐ",
		words: set("і", "й", "та", "в", "у", "не", "на", "я", "що", "як", "де", "коли", "чому", "хто",
			"який", "яка", "які", "мені", "мене", "мій", "моя", "мої", "можна", "потрібно", "треба",
			"хочу", "є", "немає", "це", "він", "вона", "вони", "ми", "ви", "вас", "вам", "з", "із", "до",
			"по", "для", "від", "за", "про", "або", "але", "чи", "же", "б", "вітаю", "привіт", "дякую",
			"будь", "ласка", "допомога", "допоможіть", "отримати", "знайти", "робота", "роботу",
			"квартиру", "житло", "лікар", "лікаря", "гроші", "дитина", "діти", "дітей", "школа",
			"школу", "німецька", "мова", "мову", "курси", "місто", "місті", "скільки", "коштує",
			"куди", "щоб", "якщо", "все", "всі", "ще", "вже", "тільки", "дуже", "зараз", "тепер", "там",
			"тут", "був", "була", "буде", "може", "можу", "його", "її", "їх", "свій", "наш", "ваш",
			"також", "без", "після", "через", "дозвіл", "проживання", "біженців", "біженці", "українці",
			"україни", "україна", "добрий", "день", "доброго", "ранку", "мені", "потрібен", "потрібна"),
		suffixes: []string{"ння", "ться", "ої", "ій", "ів", "ями", "ові", "ати", "ити", "іти", "ють", "ив", "ець"},
	},
	"ar": {
		letters:     "ةىإأ",
		weakLetters: "يك",
		words: set("في", "من", "إلى", "الى", "على", "عن", "مع", "هل", "كيف", "أين", "اين", "ما", "ماذا",
			"متى", "لماذا", "من", "أنا", "انا", "أريد", "اريد", "يمكنني", "يمكن", "أستطيع", "استطيع",
			"هذا", "هذه", "هو", "هي", "نحن", "أنت", "لا", "نعم", "مرحبا", "شكرا", "السلام", "عليكم",
			"أحتاج", "احتاج", "أين", "الى", "عند", "لي", "لدي", "عندي", "كم", "التي", "الذي", "أو",
			"او", "لكن", "ثم", "قد", "كان", "يوجد", "هناك", "ممكن", "مساعدة", "اللغة", "الألمانية",
			"العمل", "عمل", "سكن", "طبيب", "مدرسة", "أطفال", "اطفال", "مال", "إقامة", "اقامة", "مكتب",
			"الأجانب", "الاجانب", "مدينة", "المدينة", "أحد", "شخص", "أتكلم", "اتكلم", "لو", "إذا", "اذا"),
		prefixes: []string{"ال", "وال", "بال", "لل"},
	},
	"fa": {
		letters: "پچژگکیۀ\u200c",
		words: set("در", "به", "براي", "چيست", "چیست", "یعنی", "دربارهٔ", "درباره", "سخت", "بهتر", "سوال", "دارم", "از", "با", "برای", "را", "که", "این", "آن", "است", "هست", "نیست",
			"من", "تو", "ما", "شما", "او", "آنها", "چطور", "چگونه", "کجا", "کجاست", "چه", "چی", "کی",
			"چرا", "کدام", "آیا", "میخواهم", "می", "خواهم", "میتوانم", "توانم", "باید", "دارم",
			"ندارم", "سلام", "ممنون", "مرسی", "لطفا", "لطفاً", "کمک", "کار", "خانه", "دکتر", "پزشک",
			"مدرسه", "بچه", "پول", "زبان", "آلمانی", "شهر", "اداره", "اقامت", "کسی", "صحبت", "چند",
			"هم", "یا", "اما", "ولی", "هر", "بعد", "قبل", "تا", "یک", "میشود", "می‌شود", "شود",
			"کنم", "بگیرم", "پیدا", "کنید", "کنم", "گرفتن", "هستم", "بود", "خود", "خودم"),
		prefixes: []string{"می", "نمی", "بی"},
		suffixes: []string{"ها", "های", "ام", "ید", "یم"},
	},
}
