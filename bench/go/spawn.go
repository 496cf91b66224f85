// Goroutine create + join, the anchor for bench/greenlet.js's pooled
// create + start + finish (run with GOMAXPROCS=1): each operation starts a
// goroutine with an argument and waits for the value it hands back. Prints ns
// per operation (median of 7 batches) as JSON.
package main

import (
	"encoding/json"
	"os"
	"sort"
	"time"
)

func batch(n int) float64 {
	done := make(chan int)
	total := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		go func(x int) { done <- x }(i)
		total += <-done
	}
	elapsed := time.Since(start)
	if total != n*(n-1)/2 {
		panic("lost a value")
	}
	return float64(elapsed.Nanoseconds()) / float64(n)
}

func main() {
	batch(20000)
	samples := make([]float64, 7)
	for i := range samples {
		samples[i] = batch(200000)
	}
	sort.Float64s(samples)
	json.NewEncoder(os.Stdout).Encode(map[string]float64{"spawn_ns": samples[3]})
}
