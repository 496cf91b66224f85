// Unbuffered channel ping-pong between two goroutines, the anchor for the
// channel benchmarks (run with GOMAXPROCS=1). Prints ns per round trip as JSON.
package main

import (
	"encoding/json"
	"os"
	"sort"
	"time"
)

func batch(n int) float64 {
	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	return float64(elapsed.Nanoseconds()) / float64(n)
}

func main() {
	batch(20000)
	samples := make([]float64, 7)
	for i := range samples {
		samples[i] = batch(200000)
	}
	sort.Float64s(samples)
	json.NewEncoder(os.Stdout).Encode(map[string]float64{"pingpong_ns": samples[3]})
}
