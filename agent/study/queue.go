package study

import (
	"container/heap"
	"context"
	"sync"
)

// queue is a blocking priority queue of samples: the sample in the
// deepest round first (a chain of repairs that has gone on longest is the
// one most likely to hold up the end of the run), then the one that comes
// first in the study's order.
type queue struct {
	mu     sync.Mutex
	items  sampleHeap
	wake   chan struct{} // closed and replaced when an item arrives or the queue closes
	closed bool
}

func newQueue() *queue { return &queue{wake: make(chan struct{})} }

func (q *queue) push(sm *sample) {
	q.mu.Lock()
	heap.Push(&q.items, sm)
	close(q.wake)
	q.wake = make(chan struct{})
	q.mu.Unlock()
}

// pop waits for the first sample; nil once the queue is closed and empty
// or ctx is done.
func (q *queue) pop(ctx context.Context) *sample {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			sm := heap.Pop(&q.items).(*sample)
			q.mu.Unlock()
			return sm
		}
		if q.closed {
			q.mu.Unlock()
			return nil
		}
		wake := q.wake
		q.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return nil
		}
	}
}

// close wakes every waiter; pop returns nil once the queue is empty.
func (q *queue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.wake)
	}
	q.mu.Unlock()
}

type sampleHeap []*sample

func (h sampleHeap) Len() int { return len(h) }
func (h sampleHeap) Less(i, j int) bool {
	if h[i].next != h[j].next {
		return h[i].next > h[j].next
	}
	return h[i].seq < h[j].seq
}
func (h sampleHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *sampleHeap) Push(x any)   { *h = append(*h, x.(*sample)) }
func (h *sampleHeap) Pop() any {
	old := *h
	sm := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return sm
}
