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
	"github.com/docker/docker/client"
	"github.com/docker/docker/errdefs"
)

// callTimeout bounds every ordinary engine call, so a hung engine surfaces
// as an error instead of a hung run.
const callTimeout = 30 * time.Second

// Engine is the Docker Engine, seen through the few calls the sandbox makes.
type Engine struct {
	cli *client.Client
}

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

// EngineVersion describes the engine.
type EngineVersion struct {
	Version    string
	APIVersion string
	Cgroup     string
}

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
	return EngineVersion{Version: v.Version, APIVersion: e.cli.ClientVersion(), Cgroup: info.CgroupVersion}, nil
}

func unreachable(err error) error {
	var nerr net.Error
	if client.IsErrConnectionFailed(err) || errors.As(err, &nerr) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w (is Docker running, and may this user use it? DOCKER_HOST=%q)", errNoEngine, hostFromEnv())
	}
	return err
}

var errNoEngine = errors.New("no Docker engine answers")

// ImageInfo is what the sandbox needs to know about an image.
type ImageInfo struct {
	ID     string
	Labels map[string]string
}

// ErrImageMissing means the image is not in the engine's store.
var ErrImageMissing = errors.New("image not found")

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

// containerInfo is a container as the sweep sees it.
type containerInfo struct {
	ID     string
	Labels map[string]string
}

func (e *Engine) listContainers(ctx context.Context, label string) ([]containerInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	list, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", label))})
	if err != nil {
		return nil, &Error{Op: "list containers", Err: err}
	}
	out := make([]containerInfo, 0, len(list))
	for _, c := range list {
		out = append(out, containerInfo{ID: c.ID, Labels: c.Labels})
	}
	return out, nil
}

// RunContainers lists the ids of the containers, running or not, that the
// sandbox run runID made and that still exist.
func (e *Engine) RunContainers(ctx context.Context, runID string) ([]string, error) {
	list, err := e.listContainers(ctx, labelRun+"="+runID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	return ids, nil
}

// removeContainer kills and removes a container; a container that is
// already gone is not an error.
func (e *Engine) removeContainer(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	err := e.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !errdefs.IsNotFound(err) && !strings.Contains(err.Error(), "is already in progress") {
		return &Error{Op: "remove container " + short(id), Err: err}
	}
	return nil
}

// containerState is how a container ended.
type containerState struct {
	Running   bool
	OOMKilled bool
	ExitCode  int
}

func (e *Engine) state(ctx context.Context, id string) (containerState, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	c, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return containerState{}, &Error{Op: "inspect container " + short(id), Err: err}
	}
	if c.State == nil {
		return containerState{}, nil
	}
	return containerState{Running: c.State.Running, OOMKilled: c.State.OOMKilled, ExitCode: c.State.ExitCode}, nil
}

// attached is a started container with its standard streams.
type attached struct {
	ID     string
	Stdin  io.WriteCloser
	Output io.Reader // multiplexed stdout/stderr
	close  func()
}

func (e *Engine) startAttached(ctx context.Context, cfg *container.Config, host *container.HostConfig) (*attached, error) {
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	created, err := e.cli.ContainerCreate(cctx, cfg, host, nil, nil, "")
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("%s: %w", cfg.Image, ErrImageMissing)
		}
		return nil, &Error{Op: "create container", Err: err}
	}
	hj, err := e.cli.ContainerAttach(cctx, created.ID, container.AttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		e.removeContainer(context.WithoutCancel(ctx), created.ID)
		return nil, &Error{Op: "attach to container", Err: err}
	}
	if err := e.cli.ContainerStart(cctx, created.ID, container.StartOptions{}); err != nil {
		hj.Close()
		e.removeContainer(context.WithoutCancel(ctx), created.ID)
		return nil, &Error{Op: "start container", Err: err}
	}
	return &attached{ID: created.ID, Stdin: hj.Conn, Output: hj.Reader, close: hj.Close}, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
