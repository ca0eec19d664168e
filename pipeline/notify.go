package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"time"
)

// Event is what notification hooks receive: as VIGIL_* environment
// variables and JSON on standard input for notify.command, as the JSON body
// of a POST for notify.webhook.
type Event struct {
	Format  int       `json:"format"`
	Job     string    `json:"job"`
	RunID   string    `json:"run_id"`
	Stage   string    `json:"stage,omitempty"`
	Status  RunStatus `json:"status"`
	Error   string    `json:"error,omitempty"`
	Trigger Trigger   `json:"trigger,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Host    string    `json:"host,omitempty"`
}

// Notify runs notify.command (without a shell) and POSTs to notify.webhook,
// each bounded by notify.timeout, and returns their joined errors. Neither
// the webhook URL nor the command's output is logged, as both may carry
// secrets.
func Notify(ctx context.Context, n NotifyConfig, ev Event, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	timeout := n.Timeout
	if timeout <= 0 {
		timeout = DefaultNotifyTimeout
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	var errs []error
	if len(n.Command) > 0 {
		if err := runHook(ctx, n.Command, ev, body, timeout); err != nil {
			errs = append(errs, err)
		} else {
			logger.Info("notification command ran", "program", n.Command[0], "status", ev.Status)
		}
	}
	if n.Webhook != "" {
		if err := postHook(ctx, n.Webhook, body, timeout); err != nil {
			errs = append(errs, err)
		} else {
			logger.Info("notification webhook accepted", "host", webhookHost(n.Webhook), "status", ev.Status)
		}
	}
	return errors.Join(errs...)
}

func runHook(ctx context.Context, argv []string, ev Event, body []byte, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(ChildEnv(),
		"VIGIL_JOB="+ev.Job,
		"VIGIL_RUN_ID="+ev.RunID,
		"VIGIL_STATUS="+string(ev.Status),
		"VIGIL_STAGE="+ev.Stage,
		"VIGIL_ERROR="+ev.Error,
	)
	cmd.Stdin = bytes.NewReader(body)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pipeline: notify command %s: timed out after %s", argv[0], timeout)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("pipeline: notify command %s: %w: %s", argv[0], err, msg)
		}
		return fmt.Errorf("pipeline: notify command %s: %w", argv[0], err)
	}
	return nil
}

func postHook(ctx context.Context, rawURL string, body []byte, timeout time.Duration) error {
	host := webhookHost(rawURL)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("pipeline: notify webhook %s: bad request", host)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// The error text of net/http repeats the URL, which may hold a token.
		if ctx.Err() != nil {
			return fmt.Errorf("pipeline: notify webhook %s: timed out after %s", host, timeout)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("pipeline: notify webhook %s: %v", host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("pipeline: notify webhook %s: HTTP %s", host, resp.Status)
	}
	return nil
}

func webhookHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host
}

// limitedBuffer keeps the first 512 bytes written to it and drops the rest.
type limitedBuffer struct{ strings.Builder }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 512 - b.Len(); room > 0 {
		if len(p) > room {
			b.Builder.Write(p[:room])
		} else {
			b.Builder.Write(p)
		}
	}
	return len(p), nil
}
