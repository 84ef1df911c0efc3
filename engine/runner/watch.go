package runner

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch hot-reloads scripts until ctx is done. It watches every folder of
// the bot directory (adding new folders as they appear), debounces file
// events per script, and reloads each affected script: the script a file
// belongs to, plus every script that loaded the file as a module. Call it
// after Load; it returns when ctx is done or the watcher cannot start.
func (r *Runner) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", r.cfg.Dir, err)
	}
	defer w.Close()
	if err := r.addTree(w, r.cfg.Dir); err != nil {
		return fmt.Errorf("watch %s: %w", r.cfg.Dir, err)
	}
	if r.onWatching != nil {
		r.onWatching()
	}

	fire := make(chan string)
	timers := map[string]*time.Timer{} // script name → debounce timer; owned by this goroutine
	defer func() {
		for _, t := range timers {
			t.Stop()
		}
	}()
	schedule := func(name string) {
		if t, ok := timers[name]; ok {
			t.Reset(r.cfg.Debounce)
			return
		}
		timers[name] = time.AfterFunc(r.cfg.Debounce, func() {
			select {
			case fire <- name:
			case <-ctx.Done():
			}
		})
	}

	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("file watcher", "error", err)
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			for _, name := range r.affected(w, ev) {
				schedule(name)
			}
		case name := <-fire:
			delete(timers, name)
			r.reloadUnit(ctx, name)
		}
	}
}

// affected returns the scripts a file event may change.
func (r *Runner) affected(w *fsnotify.Watcher, ev fsnotify.Event) []string {
	if ev.Op == fsnotify.Chmod {
		return nil
	}
	rel, err := filepath.Rel(r.cfg.Dir, ev.Name)
	if err != nil || rel == "." || ignoredPath(rel) {
		return nil
	}
	rel = filepath.ToSlash(rel)
	if rel == "botrun.toml" && ev.Has(fsnotify.Write) {
		if time.Since(r.tomlWarned) < time.Second {
			return nil // one save writes several times
		}
		r.tomlWarned = time.Now()
		r.log.Warn("botrun.toml changed; restart botrun to apply it (scripts reload on their own)")
		return nil
	}
	var names []string
	if ev.Has(fsnotify.Create) {
		if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
			// Files written into a new folder before its watch exists
			// raise no events; the folder's own event covers them.
			if err := r.addTree(w, ev.Name); err != nil {
				r.log.Warn("watch new folder", "path", rel, "error", err)
			}
		}
	}
	if n := unitOfPath(rel); n != "" {
		names = append(names, n)
	} else if first, _, _ := strings.Cut(rel, "/"); path.Ext(first) == "" {
		// A folder created, removed or renamed as a whole: it may be
		// (or have been) a folder script.
		names = append(names, first)
	}
	r.mu.RLock()
	for _, s := range r.order {
		if slices.Contains(s.gen.files, rel) && !slices.Contains(names, s.unit.Name) {
			names = append(names, s.unit.Name)
		}
	}
	r.mu.RUnlock()
	return names
}

// addTree watches root and every folder below it that is not ignored.
func (r *Runner) addTree(w *fsnotify.Watcher, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil // vanished while walking
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && Ignored(d.Name()) {
			return filepath.SkipDir
		}
		return w.Add(p)
	})
}
