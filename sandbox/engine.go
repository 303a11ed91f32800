package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/strslice"
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-units"
)

// callTimeout bounds every ordinary engine call, so a hung engine surfaces
// as an error instead of a hung run.
const callTimeout = 30 * time.Second

// Engine is the Docker Engine, seen through the few calls the sandbox
// makes: it implements Backend, and builds images (BuildImage). Docker's API
// types (container.Config, HostConfig, the multiplexed stream) stay in this
// file.
type Engine struct {
	cli *client.Client
}

var _ Backend = (*Engine)(nil)

// NewEngine connects to the engine named by DOCKER_HOST (or the default
// socket) and negotiates the API version with it.
func NewEngine(ctx context.Context) (*Engine, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, &Error{Op: "connect to the Docker engine", Err: err}
	}
	e := &Engine{cli: cli}
	if _, err := e.Version(ctx); err != nil {
		cli.Close()
		return nil, err
	}
	return e, nil
}

// Close releases the connection.
func (e *Engine) Close() error { return e.cli.Close() }

// Version asks the engine who it is; it fails with one clear line when the
// engine is not reachable.
func (e *Engine) Version(ctx context.Context) (EngineVersion, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.cli.Ping(ctx); err != nil {
		return EngineVersion{}, &Error{Op: "reach the Docker engine", Err: unreachable(err)}
	}
	e.cli.NegotiateAPIVersion(ctx)
	v, err := e.cli.ServerVersion(ctx)
	if err != nil {
		return EngineVersion{}, &Error{Op: "reach the Docker engine", Err: unreachable(err)}
	}
	info, err := e.cli.Info(ctx)
	if err != nil {
		return EngineVersion{}, &Error{Op: "read engine info", Err: err}
	}
	return EngineVersion{Name: "Docker", Version: v.Version, APIVersion: e.cli.ClientVersion(), Cgroup: info.CgroupVersion,
		Storage: info.Driver}, nil
}

func unreachable(err error) error {
	var nerr net.Error
	if client.IsErrConnectionFailed(err) || errors.As(err, &nerr) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w (is Docker running, and may this user use it? DOCKER_HOST=%q)", errNoEngine, hostFromEnv())
	}
	return err
}

var errNoEngine = errors.New("no Docker engine answers")

// Image looks an image up by name or id.
func (e *Engine) Image(ctx context.Context, ref string) (ImageInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	img, err := e.cli.ImageInspect(ctx, ref)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return ImageInfo{}, fmt.Errorf("%s: %w", ref, ErrImageMissing)
		}
		return ImageInfo{}, &Error{Op: "inspect image " + ref, Err: err}
	}
	info := ImageInfo{ID: img.ID}
	if img.Config != nil {
		info.Labels = img.Config.Labels
	}
	return info, nil
}

// ImportImage makes an image from a root filesystem tarball.
func (e *Engine) ImportImage(ctx context.Context, rootfs io.Reader, ref string, changes []string) error {
	rc, err := e.cli.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, ref, image.ImportOptions{Changes: changes})
	if err != nil {
		return &Error{Op: "import image " + ref, Err: err}
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return &Error{Op: "import image " + ref, Err: err}
	}
	return nil
}

// List lists the containers, running or not, with a label ("key" or "key=value").
func (e *Engine) List(ctx context.Context, label string) ([]ContainerInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", label))})
	if err != nil {
		return nil, &Error{Op: "list containers", Err: err}
	}
	out := make([]ContainerInfo, 0, len(list))
	for _, c := range list {
		out = append(out, ContainerInfo{ID: c.ID, Labels: c.Labels})
	}
	return out, nil
}

// RunContainers lists the ids of the containers, running or not, that the
// sandbox run runID made and that still exist (its lease records included).
func (e *Engine) RunContainers(ctx context.Context, runID string) ([]string, error) {
	list, err := e.List(ctx, labelRun+"="+runID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return ids, nil
}

// Remove kills and removes a container; a container that is already gone
// is not an error.
func (e *Engine) Remove(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	err := e.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !errdefs.IsNotFound(err) && !strings.Contains(err.Error(), "is already in progress") {
		return &Error{Op: "remove container " + short(id), Err: err}
	}
	return nil
}

// State says whether a container runs and how it ended.
func (e *Engine) State(ctx context.Context, id string) (ContainerState, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	c, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return ContainerState{}, &Error{Op: "inspect container " + short(id), Err: err}
	}
	if c.State == nil {
		return ContainerState{}, nil
	}
	return ContainerState{Running: c.State.Running, OOMKilled: c.State.OOMKilled, ExitCode: c.State.ExitCode}, nil
}

// Create creates a container and does not start it.
func (e *Engine) Create(ctx context.Context, spec ContainerSpec) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cfg, host := dockerConfigs(spec)
	created, err := e.cli.ContainerCreate(ctx, cfg, host, nil, nil, "")
	if err != nil {
		if errdefs.IsNotFound(err) {
			return "", fmt.Errorf("%s: %w", spec.Image, ErrImageMissing)
		}
		return "", &Error{Op: "create container", Err: err}
	}
	return created.ID, nil
}

// Start creates a container, attaches its standard streams and starts it.
// Docker multiplexes stdout and stderr on the attachment: a goroutine
// splits them until it ends.
func (e *Engine) Start(ctx context.Context, spec ContainerSpec) (*Attached, error) {
	id, err := e.Create(ctx, spec)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	hj, err := e.cli.ContainerAttach(cctx, id, container.AttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		e.Remove(context.WithoutCancel(ctx), id)
		return nil, &Error{Op: "attach to container", Err: err}
	}
	if err := e.cli.ContainerStart(cctx, id, container.StartOptions{}); err != nil {
		hj.Close()
		e.Remove(context.WithoutCancel(ctx), id)
		return nil, &Error{Op: "start container", Err: err}
	}
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(outW, errW, hj.Reader)
		outW.CloseWithError(err)
		errW.CloseWithError(err)
	}()
	return &Attached{ID: id, Stdin: hj.Conn, Stdout: outR, Stderr: errR}, nil
}

// dockerConfigs translates a spec into Docker's terms.
func dockerConfigs(s ContainerSpec) (*container.Config, *container.HostConfig) {
	cfg := &container.Config{
		Image:           s.Image,
		Cmd:             strslice.StrSlice(s.Cmd),
		Entrypoint:      strslice.StrSlice{},
		User:            s.User,
		WorkingDir:      s.WorkDir,
		Env:             s.Env,
		Labels:          s.Labels,
		OpenStdin:       true,
		AttachStdin:     true,
		AttachStdout:    true,
		AttachStderr:    true,
		NetworkDisabled: s.NoNetwork,
	}
	pids := s.Pids
	init := s.Init
	host := &container.HostConfig{
		ReadonlyRootfs: s.ReadOnlyRoot,
		Init:           &init,
		CapDrop:        strslice.StrSlice{"ALL"},
		CapAdd:         strslice.StrSlice(s.CapAdd),
		ShmSize:        s.ShmSize,
		Tmpfs:          make(map[string]string, len(s.Tmpfs)),
		Resources: container.Resources{
			Memory:     s.Memory,
			MemorySwap: s.Memory,
			NanoCPUs:   int64(s.CPUs * 1e9),
			PidsLimit:  &pids,
		},
	}
	if s.NoNetwork {
		host.NetworkMode = "none"
	}
	if s.NoNewPrivileges {
		host.SecurityOpt = []string{"no-new-privileges"}
	}
	if s.NoLogs {
		host.LogConfig = container.LogConfig{Type: "none"}
	}
	if s.PrivateIPC {
		host.IpcMode = "private"
	}
	for _, m := range s.Tmpfs {
		opts := fmt.Sprintf("rw,nosuid,nodev,exec,size=%d,nr_inodes=%d,mode=%04o", m.Size, m.Inodes, m.Mode)
		if m.UID != 0 || m.GID != 0 {
			opts += fmt.Sprintf(",uid=%d,gid=%d", m.UID, m.GID)
		}
		host.Tmpfs[m.Path] = opts
	}
	for _, u := range s.Ulimits {
		host.Ulimits = append(host.Ulimits, &units.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	return cfg, host
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Commit saves a container's filesystem as the image ref, with labels.
func (e *Engine) Commit(ctx context.Context, id, ref string, labels map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*callTimeout)
	defer cancel()
	_, err := e.cli.ContainerCommit(ctx, id, container.CommitOptions{Reference: ref, Config: &container.Config{Labels: labels}})
	if err != nil {
		return &Error{Op: "commit container " + short(id), Err: err}
	}
	return nil
}

// RemoveImage removes an image; one already gone is not an error.
func (e *Engine) RemoveImage(ctx context.Context, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if _, err := e.cli.ImageRemove(ctx, ref, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !errdefs.IsNotFound(err) {
		return &Error{Op: "remove image " + ref, Err: err}
	}
	return nil
}
