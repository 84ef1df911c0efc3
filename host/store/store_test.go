package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// backends runs a test against the file store and the memory store, which
// must behave the same.
func backends(t *testing.T, f func(t *testing.T, db *DB)) {
	t.Run("file", func(t *testing.T) {
		db, err := Open(filepath.Join(t.TempDir(), "store.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		f(t, db)
	})
	t.Run("memory", func(t *testing.T) {
		db := OpenMemory()
		t.Cleanup(func() { db.Close() })
		f(t, db)
	})
}

func TestSetGetDelete(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := db.Scope("counter")
		if _, found, err := s.Get(ctx, "n"); err != nil || found {
			t.Fatalf("Get missing = found %v, err %v", found, err)
		}
		for _, v := range []string{`1`, `{"a":[1,2,"x"]}`, `"str"`, `null`, `true`} {
			if err := s.Set(ctx, "n", json.RawMessage(v)); err != nil {
				t.Fatal(err)
			}
			got, found, err := s.Get(ctx, "n")
			if err != nil || !found || string(got) != v {
				t.Fatalf("Get after Set(%s) = %s, %v, %v", v, got, found, err)
			}
		}
		if err := s.Delete(ctx, "n"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := s.Get(ctx, "n"); found {
			t.Fatal("key still present after Delete")
		}
		if err := s.Delete(ctx, "never-set"); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
		if err := db.Scope("other").Delete(ctx, "x"); err != nil {
			t.Fatalf("Delete in a script without a namespace: %v", err)
		}
	})
}

func TestBadInput(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := db.Scope("a")
		if err := s.Set(ctx, "k", json.RawMessage(`{bad`)); err == nil {
			t.Error("Set accepted invalid JSON")
		}
		if err := s.Set(ctx, "", json.RawMessage(`1`)); err == nil {
			t.Error("Set accepted an empty key")
		}
		if _, _, err := db.Scope("").Get(ctx, "k"); err == nil {
			t.Error("Get accepted an empty script name")
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := s.Set(cctx, "k", json.RawMessage(`1`)); !errors.Is(err, context.Canceled) {
			t.Errorf("Set with a cancelled context = %v, want context.Canceled", err)
		}
	})
}

func TestIsolation(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := db.Scope("a"), db.Scope("b")
		if err := a.Set(ctx, "k", json.RawMessage(`"from a"`)); err != nil {
			t.Fatal(err)
		}
		if err := b.Set(ctx, "k", json.RawMessage(`"from b"`)); err != nil {
			t.Fatal(err)
		}
		got, _, _ := a.Get(ctx, "k")
		if string(got) != `"from a"` {
			t.Errorf("a sees %s", got)
		}
		if err := b.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if _, found, _ := a.Get(ctx, "k"); !found {
			t.Error("deleting b's key removed a's")
		}
		keys, err := a.Keys(ctx)
		if err != nil || len(keys) != 1 || keys[0] != "k" {
			t.Errorf("a.Keys = %v, %v", keys, err)
		}
		scripts, err := db.Scripts()
		if err != nil || len(scripts) == 0 || scripts[0] != "a" {
			t.Errorf("Scripts = %v, %v", scripts, err)
		}
	})
}

func TestGetReturnsACopy(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := db.Scope("a")
		in := json.RawMessage(`"abc"`)
		if err := s.Set(ctx, "k", in); err != nil {
			t.Fatal(err)
		}
		in[1] = 'X'
		got, _, _ := s.Get(ctx, "k")
		got[1] = 'Y'
		again, _, _ := s.Get(ctx, "k")
		if string(again) != `"abc"` {
			t.Errorf("stored value aliased a caller's slice: %s", again)
		}
	})
}

func TestClosed(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		s := db.Scope("a")
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		err := s.Set(context.Background(), "k", json.RawMessage(`1`))
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Set after Close = %v, want ErrClosed", err)
		}
	})
}

func TestPersistsAcrossReopen(t *testing.T) {
	path := DefaultPath(t.TempDir())
	ctx := context.Background()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := db.Scope("s"+strconv.Itoa(i%3)).Set(ctx, "k"+strconv.Itoa(i), json.RawMessage(strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("store file: %v, mode %v (want 0600: it may hold user data)", err, fi.Mode())
	}
	db, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 50 {
		got, found, err := db.Scope("s"+strconv.Itoa(i%3)).Get(ctx, "k"+strconv.Itoa(i))
		if err != nil || !found || string(got) != strconv.Itoa(i) {
			t.Fatalf("k%d after reopen = %s, %v, %v", i, got, found, err)
		}
	}
}

func TestSecondOpenFailsClearly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// bbolt's flock is per file description, so a second Open in the same
	// process contends just like a second process would.
	_, err = Open(path, WithLockTimeout(100*time.Millisecond))
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open = %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
}

func TestConcurrentScopes(t *testing.T) {
	backends(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		const workers, ops = 8, 40
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			wg.Go(func() {
				s := db.Scope("w" + strconv.Itoa(w%4))
				for i := range ops {
					key := fmt.Sprintf("%d-%d", w, i)
					if err := s.Set(ctx, key, json.RawMessage(strconv.Itoa(i))); err != nil {
						errs <- err
						return
					}
					if v, ok, err := s.Get(ctx, key); err != nil || !ok || string(v) != strconv.Itoa(i) {
						errs <- fmt.Errorf("%s = %s %v %v", key, v, ok, err)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		total := 0
		for w := range 4 {
			keys, _ := db.Scope("w" + strconv.Itoa(w)).Keys(ctx)
			total += len(keys)
		}
		if total != workers*ops {
			t.Errorf("%d keys stored, want %d", total, workers*ops)
		}
	})
}

// crashChildEnv makes the test binary act as a writer that is killed
// mid-stream by TestKilledWriterLeavesConsistentStore.
const crashChildEnv = "BOTRUN_STORE_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

// crashChild writes keys forever, reporting each committed write on
// stdout, until it is killed.
func crashChild(path string) {
	db, err := Open(path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	ctx := context.Background()
	big := strings.Repeat("x", 3000) // spans pages, so torn writes would show
	for i := 0; ; i++ {
		v := json.RawMessage(fmt.Sprintf(`{"i":%d,"pad":%q}`, i, big))
		if err := db.Scope("crash").Set(ctx, "k"+strconv.Itoa(i), v); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		if err := db.Scope("crash").Set(ctx, "last", json.RawMessage(strconv.Itoa(i))); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println("committed", i)
	}
}

func TestKilledWriterLeavesConsistentStore(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a writer process")
	}
	path := filepath.Join(t.TempDir(), "store.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill the writer after it has acknowledged some commits, while it is
	// in the middle of more.
	acked := -1
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			acked, _ = strconv.Atoi(n)
			if acked >= 30 {
				break
			}
			continue
		}
		t.Fatalf("child: %s", line)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if acked < 30 {
		t.Fatalf("child acknowledged only %d commits", acked)
	}

	// bbolt's own page-level consistency check.
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	err = b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	b.Close()
	if err != nil {
		t.Fatalf("consistency check after kill: %v", err)
	}

	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	s := db.Scope("crash")
	lastRaw, _, err := s.Get(ctx, "last")
	if err != nil {
		t.Fatal(err)
	}
	last, _ := strconv.Atoi(string(lastRaw))
	if last < acked {
		t.Fatalf("last durable write %d, but %d was acknowledged", last, acked)
	}
	// Every write up to the last durable one is whole.
	for i := 0; i <= last; i++ {
		v, found, err := s.Get(ctx, "k"+strconv.Itoa(i))
		if err != nil || !found {
			t.Fatalf("k%d missing after kill (last=%d): %v", i, last, err)
		}
		var doc struct{ I int }
		if err := json.Unmarshal(v, &doc); err != nil || doc.I != i {
			t.Fatalf("k%d torn after kill: %v", i, err)
		}
	}
}
