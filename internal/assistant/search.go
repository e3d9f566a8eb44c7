package assistant

// Hit is one topic found for a question.
type Hit struct {
	TopicID string
	// Score is the search engine's relevance score (unbounded, larger is better).
	Score float64
	// Coverage is the share, between 0 and 1, of the question's information that the
	// topic matches: each meaningful word weighted by how rare it is in the content,
	// matched exactly or with a small typo. Unknown words count against it.
	Coverage float64
}

// SearchResult is what a Searcher finds for a question in one language.
type SearchResult struct {
	Hits []Hit // best first
	// Words are the meaningful words of the question after analysis (stop words
	// and punctuation removed).
	Words []string
	// Known counts the words that occur in the content, exactly or with a small typo.
	Known int
	// Unknown lists the words the content does not have (for --debug and staff).
	Unknown []string
}

// Searcher finds topics for a question written in lang.
type Searcher interface {
	Search(text, lang string, n int) (SearchResult, error)
}
