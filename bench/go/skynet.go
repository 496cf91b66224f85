// skynet (github.com/atemerev/skynet) in Go, the anchor for bench/skynet.js:
// a 10-ary tree of goroutines over unbuffered channels. Run with
// GOMAXPROCS=1. Usage: skynet <leaves>; prints {"sum":..., "ms":...} as JSON.
package main

import (
	"encoding/json"
	"os"
	"strconv"
	"time"
)

func node(parent chan int, first, size, branching int) {
	if size == 1 {
		parent <- first
		return
	}
	children := make(chan int)
	childSize := size / branching
	for i := 0; i < branching; i++ {
		go node(children, first+i*childSize, childSize, branching)
	}
	sum := 0
	for i := 0; i < branching; i++ {
		sum += <-children
	}
	parent <- sum
}

func main() {
	leaves, err := strconv.Atoi(os.Args[1])
	if err != nil {
		panic(err)
	}
	start := time.Now()
	root := make(chan int)
	go node(root, 0, leaves, 10)
	sum := <-root
	elapsed := time.Since(start)
	json.NewEncoder(os.Stdout).Encode(map[string]float64{"sum": float64(sum), "ms": float64(elapsed.Nanoseconds()) / 1e6})
}
