package demo

import (
	"context"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"
)

// Tables are generated in chunks of rows. Workers render chunks in parallel;
// one writer appends them to the files in order. A chunk's rows depend only on
// the seed, its table and its index, so the bytes do not depend on the number
// of workers or on scheduling.

// Chunk kinds.
const (
	kindCustomers = iota // customers.csv and ownership.csv
	kindOrders
	kindEnrollments
)

// Rows per chunk. Part of the output's definition: changing them changes the
// bytes generated for a seed.
const (
	customersChunk   = 2048
	ordersChunk      = 8192
	enrollmentsChunk = 8192
)

type chunkTask struct {
	kind   int
	k      int // chunk index within its table
	lo, hi int // row range
	res    chan *chunkOut
}

// chunkOut is a rendered chunk: up to two files' worth of rows.
type chunkOut struct {
	rb  [2]rowBuf
	enc [2][]byte // GBK output buffers
	out [2][]byte // encoded bytes to write (alias rb or enc)
	err error
}

// outputs are the files a run writes chunks to.
type outputs struct {
	customers, ownership, orders, enrollments *csvFile
}

// tasks lists every chunk of every table in writing order.
func (g *gen) tasks() []chunkTask {
	var ts []chunkTask
	add := func(kind, n, size int) {
		for k, lo := 0, 0; lo < n; k, lo = k+1, lo+size {
			ts = append(ts, chunkTask{kind: kind, k: k, lo: lo, hi: min(lo+size, n)})
		}
	}
	add(kindCustomers, g.rows, customersChunk)
	add(kindOrders, 2*g.rows, ordersChunk)
	add(kindEnrollments, g.rows/2, enrollmentsChunk)
	return ts
}

// render fills out with the rows of task t.
func (w *worker) render(t *chunkTask, out *chunkOut, e *encoder) {
	out.rb[0].reset()
	out.rb[1].reset()
	switch t.kind {
	case kindCustomers:
		w.reseed(saltCustomers, t.k)
		w.customers(t.lo, t.hi, &out.rb[0], &out.rb[1])
	case kindOrders:
		w.reseed(saltOrders, t.k)
		w.orders(t.lo, t.hi, &out.rb[0])
	case kindEnrollments:
		w.reseed(saltEnrollments, t.k)
		w.enrollments(t.lo, t.hi, &out.rb[0])
	}
	out.err = nil
	for i := range out.rb {
		enc, err := e.encode(out.enc[i], out.rb[i].b)
		if err != nil {
			out.err = fmt.Errorf("%s rows %d..%d: %w", t.describe(i), t.lo+1, t.hi, err)
			return
		}
		out.out[i] = enc
		if e.gbk != nil {
			out.enc[i] = enc
		}
	}
}

func (t *chunkTask) describe(i int) string {
	switch {
	case t.kind == kindCustomers && i == 0:
		return CustomersFile
	case t.kind == kindCustomers:
		return OwnershipFile
	case t.kind == kindOrders:
		return OrdersFile
	default:
		return EnrollmentsFile
	}
}

// runChunks renders all chunks with one worker per CPU and writes them in
// order.
func (g *gen) runChunks(ctx context.Context, files *outputs, staff []staffMember, gbk bool) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	eg, ctx := errgroup.WithContext(ctx)
	jobs := make(chan *chunkTask)
	queue := make(chan *chunkTask, 2*workers)
	free := make(chan *chunkOut, 3*workers+1)
	tasks := g.tasks()

	eg.Go(func() error { // dispatcher: queue first, so the writer's order is the task order
		defer close(jobs)
		defer close(queue)
		for i := range tasks {
			t := &tasks[i]
			t.res = make(chan *chunkOut, 1)
			select {
			case queue <- t:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- t:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range workers {
		eg.Go(func() error {
			w := g.newWorker(staff)
			e := newEncoder(gbk)
			for t := range jobs {
				var out *chunkOut
				select {
				case out = <-free:
				default:
					out = &chunkOut{}
				}
				if ctx.Err() != nil {
					out.err = ctx.Err()
				} else {
					w.render(t, out, e)
				}
				t.res <- out // buffered: never blocks
			}
			return nil
		})
	}
	eg.Go(func() error { // writer
		for t := range queue {
			var out *chunkOut
			select {
			case out = <-t.res:
			case <-ctx.Done():
				return ctx.Err()
			}
			if out.err != nil {
				return out.err
			}
			var err error
			switch t.kind {
			case kindCustomers:
				err = files.customers.write(out.out[0], out.rb[0].rows)
				if err == nil {
					err = files.ownership.write(out.out[1], out.rb[1].rows)
				}
			case kindOrders:
				err = files.orders.write(out.out[0], out.rb[0].rows)
			case kindEnrollments:
				err = files.enrollments.write(out.out[0], out.rb[0].rows)
			}
			if err != nil {
				return err
			}
			select {
			case free <- out:
			default:
			}
		}
		return nil
	})
	return eg.Wait()
}
