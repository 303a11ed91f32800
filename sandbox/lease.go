package sandbox

import (
	"context"
	"errors"
	"maps"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Labels of the lease (see Sweep).
const (
	labelLease = "io.selfrepair.lease" // RFC 3339 UTC time until which the run holds its containers
	labelRole  = "io.selfrepair.role"  // roleLease on the run's lease records
	roleLease  = "lease"
)

// DefaultLease is how long a run's containers outlive the last renewal of
// its lease: a run that stops renewing (its process crashed or was killed)
// loses them to the next sweep after at most this long.
const DefaultLease = 2 * time.Minute

// Orphan is a container left behind by a run that is gone.
type Orphan struct {
	ID, Run, Owner string
}

// Sweep finds the sandbox containers of runs that are gone and, unless
// dryRun, removes them.
//
// A run holds its containers by a lease: every container it makes carries
// the label io.selfrepair.lease=<expiry, RFC 3339 UTC>, and while the
// Sandbox is open it renews the lease in the background (every quarter of
// Options.Lease) by creating a lease record (a container that is created,
// never started, and labelled with the run and a new expiry) and then
// removing the older record. Renewal needs no change to a running
// container's labels (Docker cannot relabel one) and nothing but the calls
// of Backend, so it works the same on a remote engine: a run is judged by
// what the engine holds, not by a process table. A run's lease ends at the
// latest expiry among its containers and records; when that has passed,
// every container of the run is an orphan, whichever host made it.
// Expiry times are written by the owner's clock and read by the
// sweeper's: the clocks may disagree by a good part of the lease, not by
// all of it.
//
// A container whose owner (its label host:pid) is a process of this host
// that is gone is an orphan at once, lease or not: a crashed run on this
// machine is cleaned up by the next command, not a lease later.
// Containers made before leases (labelled only with the owner) are judged
// by the owner alone: another host's are left alone.
func Sweep(ctx context.Context, eng Backend, dryRun bool) ([]Orphan, error) {
	list, err := eng.List(ctx, labelTool+"=selfrepair")
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var out []Orphan
	for _, c := range orphans(list, time.Now(), host, processAlive) {
		out = append(out, Orphan{ID: short(c.ID), Run: c.Labels[labelRun], Owner: c.Labels[labelOwner]})
		if !dryRun {
			if err := eng.Remove(ctx, c.ID); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

// orphans picks the containers to remove from list at time now: those
// whose owner is a process of host that is not alive, and those of runs
// whose lease has expired.
func orphans(list []ContainerInfo, now time.Time, host string, alive func(pid int) bool) []ContainerInfo {
	// A run's lease ends at the latest expiry of its containers.
	ends := map[string]time.Time{}
	for _, c := range list {
		if end, ok := leaseEnd(c.Labels); ok {
			if k := runKey(c); end.After(ends[k]) {
				ends[k] = end
			}
		}
	}
	var out []ContainerInfo
	for _, c := range list {
		end, leased := ends[runKey(c)]
		// Without a lease, a container is judged by its owner alone.
		owner := judgeOwner(c.Labels[labelOwner], host, alive)
		if owner == ownerGone || leased && !end.After(now) || !leased && owner == ownerUnknown {
			out = append(out, c)
		}
	}
	return out
}

// runKey groups containers by run; one with no run label is its own.
func runKey(c ContainerInfo) string {
	if run := c.Labels[labelRun]; run != "" {
		return "run:" + run
	}
	return "id:" + c.ID
}

// leaseEnd reads a container's lease label.
func leaseEnd(labels map[string]string) (time.Time, bool) {
	v, ok := labels[labelLease]
	if !ok {
		return time.Time{}, false
	}
	end, err := time.Parse(time.RFC3339, v)
	return end, err == nil
}

// ownerState is what the sweep knows of a container's owner (its label
// host:pid).
type ownerState int

const (
	ownerElsewhere ownerState = iota // another host's process: not ours to judge
	ownerAlive                       // a live process of this host
	ownerGone                        // a process of this host that is gone
	ownerUnknown                     // no owner, or this host's with no readable pid
)

func judgeOwner(owner, host string, alive func(pid int) bool) ownerState {
	h, pidStr, _ := strings.Cut(owner, ":")
	pid, err := strconv.Atoi(pidStr)
	switch {
	case h == "" || h == host && err != nil:
		return ownerUnknown
	case h != host:
		return ownerElsewhere
	case alive(pid):
		return ownerAlive
	}
	return ownerGone
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// leaseLabels are the labels of a container made now: the run's, with the
// lease's expiry.
func (s *Sandbox) leaseLabels(now time.Time) map[string]string {
	labels := maps.Clone(s.labels)
	labels[labelLease] = now.Add(s.opts.Lease).UTC().Format(time.RFC3339)
	return labels
}

// renewLease creates a lease record with a new expiry, then removes the
// older records. If creating fails the older records still hold the lease
// until they expire.
func (s *Sandbox) renewLease(ctx context.Context) error {
	labels := s.leaseLabels(time.Now())
	labels[labelRole] = roleLease
	id, err := s.eng.Create(ctx, ContainerSpec{
		Image: s.opts.Image, Cmd: []string{"true"}, User: "0:0", Labels: labels,
		Memory: 16 << 20, CPUs: 0.1, Pids: 1,
		NoNetwork: true, ReadOnlyRoot: true, NoNewPrivileges: true, NoLogs: true, PrivateIPC: true,
	})
	if err != nil {
		return &Error{Op: "renew the lease", Err: err}
	}
	s.mu.Lock()
	old := s.records
	s.records = []string{id}
	s.mu.Unlock()
	var errs []error
	for _, r := range old {
		if err := s.eng.Remove(ctx, r); err != nil {
			errs = append(errs, err)
			s.mu.Lock()
			s.records = append(s.records, r) // try again next time
			s.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

// keepLease renews the lease until ctx ends.
func (s *Sandbox) keepLease(ctx context.Context) {
	tick := time.NewTicker(s.opts.Lease / 4)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := s.renewLease(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("could not renew the sandbox lease", "run", s.opts.RunID, "err", err)
		}
	}
}
