package sandbox

import (
	"slices"
	"testing"
	"time"
)

// TestOrphans: the sweep's decision, container by container: a run's lease
// is the latest expiry among its containers and lease records; containers
// without a lease are judged by their owner's host:pid.
func TestOrphans(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	c := func(id string, kv ...string) ContainerInfo {
		labels := map[string]string{labelTool: "selfrepair"}
		for i := 0; i+1 < len(kv); i += 2 {
			labels[kv[i]] = kv[i+1]
		}
		return ContainerInfo{ID: id, Labels: labels}
	}
	alive := func(pid int) bool { return pid == 100 }
	cases := []struct {
		name string
		list []ContainerInfo
		want []string // ids removed
	}{
		{"live lease", []ContainerInfo{c("a", labelRun, "r1", labelLease, at(time.Minute), labelOwner, "other:1")}, nil},
		{"expired lease", []ContainerInfo{c("a", labelRun, "r1", labelLease, at(-time.Second), labelOwner, "other:1")}, []string{"a"}},
		{"expiring now", []ContainerInfo{c("a", labelRun, "r1", labelLease, at(0))}, []string{"a"}},
		{"renewed by a record", []ContainerInfo{
			c("old", labelRun, "r1", labelLease, at(-time.Hour)),
			c("rec", labelRun, "r1", labelLease, at(90*time.Second), labelRole, roleLease),
		}, nil},
		{"whole run expires, records too", []ContainerInfo{
			c("old", labelRun, "r1", labelLease, at(-time.Hour)),
			c("rec", labelRun, "r1", labelLease, at(-time.Minute), labelRole, roleLease),
		}, []string{"old", "rec"}},
		{"runs judged apart", []ContainerInfo{
			c("a", labelRun, "r1", labelLease, at(-time.Minute)),
			c("b", labelRun, "r2", labelLease, at(time.Minute)),
		}, []string{"a"}},
		{"a dead local owner loses its run at once, lease or not", []ContainerInfo{
			c("a", labelRun, "r1", labelLease, at(time.Minute), labelOwner, "here:7"),
			c("rec", labelRun, "r1", labelLease, at(time.Minute), labelOwner, "here:7", labelRole, roleLease),
		}, []string{"a", "rec"}},
		{"a live lease of another host's owner", []ContainerInfo{c("a", labelRun, "r1", labelLease, at(time.Minute), labelOwner, "there:7")}, nil},
		{"an expired lease loses to a live local owner", []ContainerInfo{c("a", labelRun, "r1", labelLease, at(-time.Minute), labelOwner, "here:100")}, []string{"a"}},
		{"a leased container lends its run's lease to a legacy one", []ContainerInfo{
			c("a", labelRun, "r1", labelOwner, "there:7"),
			c("b", labelRun, "r1", labelLease, at(time.Minute)),
		}, nil},
		{"legacy: local owner alive", []ContainerInfo{c("a", labelRun, "r1", labelOwner, "here:100")}, nil},
		{"legacy: local owner gone", []ContainerInfo{c("a", labelRun, "r1", labelOwner, "here:7")}, []string{"a"}},
		{"legacy: another host's", []ContainerInfo{c("a", labelRun, "r1", labelOwner, "there:7")}, nil},
		{"legacy: no owner", []ContainerInfo{c("a", labelRun, "r1")}, []string{"a"}},
		{"legacy: unreadable pid", []ContainerInfo{c("a", labelOwner, "here:x")}, []string{"a"}},
		{"unreadable lease is no lease", []ContainerInfo{c("a", labelRun, "r1", labelLease, "soon", labelOwner, "here:100")}, nil},
		{"no run label: a lease of its own", []ContainerInfo{
			c("a", labelLease, at(time.Minute)),
			c("b", labelLease, at(-time.Minute)),
		}, []string{"b"}},
		{"other time zones", []ContainerInfo{c("a", labelRun, "r1", labelLease, now.Add(time.Minute).In(time.FixedZone("x", -5*3600)).Format(time.RFC3339))}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, o := range orphans(tc.list, now, "here", alive) {
				got = append(got, o.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("removed %v, want %v", got, tc.want)
			}
		})
	}
}
