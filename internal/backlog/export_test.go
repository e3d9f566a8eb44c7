package backlog

// SetWeights changes the similarity's weights for a test.
func SetWeights(conf, words float64) { confident, wordWeight = conf, words }
