//go:build race

package main

// raceEnabled: the test binary runs with the race detector, and so is the serve
// binary it builds (sharing the build cache with the test's packages).
const raceEnabled = true
