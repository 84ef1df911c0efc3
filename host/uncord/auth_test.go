package uncord

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	emu "github.com/botrun/botrun/host/emulator/uncord"
)

func readState(t *testing.T, path string) stateFile {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	var st stateFile
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestLoginPersistsAndRestartPrefersSavedRefreshToken(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, pw := s.Credentials()
	state := filepath.Join(t.TempDir(), ".botrun", "uncord.json")
	ctx := ctxT(t)

	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, StatePath: state})
	tok, err := a.Token(ctx)
	if err != nil || tok == "" {
		t.Fatalf("Token: %q, %v", tok, err)
	}
	if a.UserID() != s.BotUser().ID {
		t.Errorf("UserID %q, want %q", a.UserID(), s.BotUser().ID)
	}
	st1 := readState(t, state)
	if st1.RefreshToken == "" {
		t.Fatal("no refresh token saved after login")
	}
	if again, _ := a.Token(ctx); again != tok {
		t.Error("a fresh token was replaced without need")
	}

	// restart: the saved refresh token is used, not the password
	b := newAuth(t, s, AuthConfig{Email: email, Password: pw, StatePath: state})
	if _, err := b.Token(ctx); err != nil {
		t.Fatal(err)
	}
	logins, refreshes, reuses := s.AuthStats()
	if logins != 1 || refreshes != 1 || reuses != 0 {
		t.Fatalf("logins=%d refreshes=%d reuses=%d, want 1,1,0", logins, refreshes, reuses)
	}
	st2 := readState(t, state)
	if st2.RefreshToken == "" || st2.RefreshToken == st1.RefreshToken {
		t.Fatal("rotated refresh token not persisted")
	}
}

func TestEnvRefreshTokenRotatesAndSavedStateWinsOnRestart(t *testing.T) {
	s := startEmu(t, emu.Options{})
	state := filepath.Join(t.TempDir(), "uncord.json")
	env := s.IssueRefreshToken()
	ctx := ctxT(t)
	for i := range 3 { // three restarts with the same (long spent) env token
		a := newAuth(t, s, AuthConfig{RefreshToken: env, StatePath: state})
		if _, err := a.Token(ctx); err != nil {
			t.Fatalf("restart %d: %v", i, err)
		}
	}
	_, refreshes, reuses := s.AuthStats()
	if refreshes != 3 || reuses != 0 {
		t.Fatalf("refreshes=%d reuses=%d, want 3 and 0 (a spent token must never be sent again)", refreshes, reuses)
	}
	// a new token in the environment beats the saved one
	env2 := s.IssueRefreshToken()
	a := newAuth(t, s, AuthConfig{RefreshToken: env2, StatePath: state})
	if _, err := a.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if st := readState(t, state); st.EnvSHA256 != envHash(env2) {
		t.Error("state does not record the new environment token")
	}
	if _, _, reuses := s.AuthStats(); reuses != 0 {
		t.Fatal("TOKEN_REUSED triggered")
	}
}

func TestRejectedRefreshFallsBackToLoginOrFailsClearly(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, pw := s.Credentials()
	ctx := ctxT(t)

	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, RefreshToken: "00000000-0000-4000-8000-000000000000"})
	if _, err := a.Token(ctx); err != nil {
		t.Fatalf("fallback to login: %v", err)
	}
	b := newAuth(t, s, AuthConfig{RefreshToken: "00000000-0000-4000-8000-000000000000"})
	_, err := b.Token(ctx)
	var ae *AuthError
	if !errors.As(err, &ae) || !ae.Fatal() || !strings.Contains(err.Error(), "UNCORD_EMAIL") {
		t.Fatalf("want a fatal AuthError naming what to set, got %v", err)
	}
}

func TestBadCredentialsAreFatalAndNeverLeak(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, _ := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: "wrong-secret-pw"})
	_, err := a.Token(ctxT(t))
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("want *AuthError, got %T %v", err, err)
	}
	if strings.Contains(err.Error(), "wrong-secret-pw") || strings.Contains(err.Error(), email) {
		t.Fatalf("error leaks a credential: %v", err)
	}
	if _, err := NewAuth(AuthConfig{BaseURL: s.URL()}); !errors.As(err, &ae) {
		t.Fatalf("no credentials: want *AuthError, got %v", err)
	}
}

func TestAccessTokenRefreshedBeforeExpiry(t *testing.T) {
	c := newClock()
	s := startEmu(t, emu.Options{Now: c.Now})
	email, pw := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, Now: c.Now, Sleep: c.Sleep})
	ctx := ctxT(t)
	t1, _ := a.Token(ctx)
	c.Advance(12 * time.Minute)
	if t2, _ := a.Token(ctx); t2 != t1 {
		t.Fatal("refreshed with 3 minutes left (RefreshBefore is 2)")
	}
	c.Advance(2 * time.Minute)
	t3, err := a.Token(ctx)
	if err != nil || t3 == t1 {
		t.Fatalf("not refreshed 1 minute before expiry: %v", err)
	}
	if logins, refreshes, _ := s.AuthStats(); logins != 1 || refreshes != 1 {
		t.Fatalf("logins=%d refreshes=%d", logins, refreshes)
	}
}

func TestAuthBudgetWaitsInsteadOfHammering(t *testing.T) {
	c := newClock()
	s := startEmu(t, emu.Options{Now: c.Now})
	email, pw := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, Now: c.Now, Sleep: c.Sleep})
	ctx := ctxT(t)
	for i := range 7 {
		tok, err := a.Token(ctx)
		if err != nil {
			t.Fatalf("auth %d: %v", i, err)
		}
		a.Invalidate(tok) // force another auth request
	}
	slept := c.Slept()
	if len(slept) != 1 {
		// request 6 waits for the window; 6 and 7 then share a new one
		t.Fatalf("waited %d times (%v), want 1", len(slept), slept)
	}
	if slept[0] != 5*time.Minute {
		t.Errorf("first wait %v, want 5m (the window)", slept[0])
	}
	// the server never had to refuse one
	for _, r := range s.Requests() {
		if r.Status == 429 {
			t.Fatalf("server answered 429 to %s %s", r.Method, r.Path)
		}
	}
}

func TestConcurrentTokenCallsShareOneLogin(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, pw := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw})
	ctx := ctxT(t)
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := a.Token(ctx)
			errs <- err
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if logins, refreshes, _ := s.AuthStats(); logins != 1 || refreshes != 0 {
		t.Fatalf("logins=%d refreshes=%d, want one login for 20 callers", logins, refreshes)
	}
}

func TestInvalidateNeverWaitsForARenewal(t *testing.T) {
	s := startEmu(t, emu.Options{})
	email, pw := s.Credentials()
	entered := make(chan struct{})
	release := make(chan struct{})
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, AuthLimit: 1, AuthWindow: time.Hour,
		Sleep: func(ctx context.Context, d time.Duration) error {
			close(entered)
			select {
			case <-release:
				return errors.New("released")
			case <-ctx.Done():
				return ctx.Err()
			}
		}})
	ctx := ctxT(t)
	tok, err := a.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a.Invalidate(tok)
	done := make(chan error, 1)
	go func() { _, err := a.Token(ctx); done <- err }() // waits for the auth budget
	<-entered
	a.Invalidate("other") // must not block behind the waiting renewal
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.Token(cctx); err == nil {
		t.Fatal("a cancelled caller waiting for the renewal should give up")
	}
	close(release)
	if err := <-done; err == nil || !strings.Contains(err.Error(), "released") {
		t.Fatalf("renewal: %v", err)
	}
}

func TestServerClockSkewDoesNotCauseRefreshLoops(t *testing.T) {
	c := newClock()
	c.Advance(-3 * time.Hour) // the server's clock is hours behind ours
	s := startEmu(t, emu.Options{Now: c.Now})
	email, pw := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw})
	ctx := ctxT(t)
	t1, err := a.Token(ctx)
	if err != nil || t1 == "" {
		t.Fatal(err)
	}
	if t2, _ := a.Token(ctx); t2 != t1 {
		t.Fatal("a fresh token was replaced: its lifetime must be counted on our clock")
	}
	if logins, refreshes, _ := s.AuthStats(); logins != 1 || refreshes != 0 {
		t.Fatalf("logins=%d refreshes=%d", logins, refreshes)
	}
}

func TestKeepFreshRenewsAnIdleToken(t *testing.T) {
	c := newClock()
	s := startEmu(t, emu.Options{Now: c.Now})
	email, pw := s.Credentials()
	a := newAuth(t, s, AuthConfig{Email: email, Password: pw, Now: c.Now})
	ctx, cancel := context.WithCancel(ctxT(t))
	if _, err := a.Token(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); a.KeepFresh(ctx, 5*time.Millisecond) }()
	c.Advance(14 * time.Minute) // nobody asks for a token
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, refreshes, _ := s.AuthStats(); refreshes == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the idle token was not renewed")
		}
		time.Sleep(5 * time.Millisecond) // polling the server's counter; KeepFresh ticks on its own
	}
	cancel()
	<-done
	if _, refreshes, _ := s.AuthStats(); refreshes != 1 {
		t.Fatalf("refreshes=%d, want 1 (a fresh token is not renewed again)", refreshes)
	}
}
